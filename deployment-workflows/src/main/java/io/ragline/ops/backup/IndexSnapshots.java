package io.ragline.ops.backup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The search index's side of backup and restore; the runtime that owns the index implements it
 * (Lucene: a commit held by {@code SnapshotDeletionPolicy}, its files copied, then released).
 * Counts are whatever the index can count cheaply ({@code documents}, {@code chunks}); a restore
 * must report the same keys and values as the snapshot it restored.
 */
public interface IndexSnapshots {
    /** Copies a consistent point-in-time view of the index into the empty directory {@code dir}; returns its counts. */
    Map<String, Long> snapshot(Path dir) throws IOException;

    /**
     * Replaces the live index with the copy in {@code dir} and returns once search serves it.
     * Idempotent: restoring the same copy twice gives the same index.
     */
    Map<String, Long> restore(Path dir) throws IOException;

    /** Counts of the live index, same keys as {@link #snapshot}. */
    Map<String, Long> counts();
}
