package io.ragline.ops.backup;

import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Each artifact activity dumps, checksums and uploads under {@code <target>/<backupId>/}; a retry
 * overwrites the same keys, so they are idempotent. Nothing counts until {@link #writeManifest}.
 */
@ActivityInterface(namePrefix = "Backup")
public interface BackupActivities {
    MetadataBackup dumpMetadata(String target, String backupId);

    IndexBackup snapshotIndex(String target, String backupId, List<ProbeQuery> probes);

    List<Artifact> exportKafka(String target, String backupId);

    List<Artifact> exportKubernetes(String target, String backupId, String namespace);

    /** Writes the manifest, which makes the backup complete, and publishes the backup gauges. */
    void writeManifest(String target, BackupManifest manifest);

    /** Deletes backups older than {@code retentionDays} (never the newest complete one); returns their ids. */
    List<String> cleanUp(String target, int retentionDays, long nowMillis);
}
