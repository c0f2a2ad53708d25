package io.ragline.ops.restore;

import io.ragline.ops.backup.BackupManifest;
import io.ragline.ops.backup.BackupScope;
import io.temporal.activity.ActivityInterface;
import java.util.List;
import java.util.Map;

/**
 * The restore's side effects, bound to one environment's database, index and Kafka. Restoring
 * is idempotent (replace, not merge); every artifact's checksum is checked again when used.
 */
@ActivityInterface(namePrefix = "Restore")
public interface RestoreActivities {
    /** Resolves {@code latest}, reads the manifest and checks every artifact's SHA-256 (type ChecksumMismatch). */
    BackupManifest verifyBackup(String target, String backupId);

    /**
     * Which parts of the backup this runtime restores, and how the index follows; fails with
     * {@code NotConfigured} (or {@code ConsumersRunning}) when a part that was asked for cannot be
     * restored here. Changes nothing.
     *
     * @param requested the request's scope; null or empty: what the backup holds
     */
    RestorePlan plan(BackupManifest manifest, List<BackupScope> requested);

    void pauseIngestion(String reason);

    void resumeIngestion();

    Map<String, Long> restoreMetadata(String target, BackupManifest manifest);

    Map<String, Long> restoreIndex(String target, BackupManifest manifest);

    Map<String, Long> restoreKafka(String target, BackupManifest manifest);

    /** Counts and probe results now, compared with the manifest. */
    VerifyReport verifyRestore(String target, BackupManifest manifest, List<BackupScope> scope);
}
