package io.ragline.ops.backup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Where backups live: keys are {@code <backupId>/<artifact name>}. */
public interface BackupStore {
    void put(String key, Path file) throws IOException;

    /** Copies the object to {@code file}; {@link java.nio.file.NoSuchFileException} when absent. */
    void get(String key, Path file) throws IOException;

    boolean exists(String key) throws IOException;

    /** Ids of every backup, complete or not, ascending (= oldest first). */
    List<String> backupIds() throws IOException;

    /** Deletes every object of the backup; nothing when it does not exist. */
    void delete(String backupId) throws IOException;
}
