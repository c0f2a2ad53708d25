package io.ragline.ops.backup;

/**
 * What {@link BackupSchedulerWorkflow#status()} answers (the Temporal UI's query tab).
 *
 * @param runs          runs started since the last continue-as-new
 * @param lastRun       workflow id of the latest run ({@code backup/scheduled-<time>}); null before the first
 * @param lastBackupId  the backup the latest successful run wrote; null before one
 * @param lastFailure   why the latest run failed; null when it succeeded
 */
public record BackupSchedulerStatus(int runs, String lastRun, String lastBackupId, String lastFailure) {
}
