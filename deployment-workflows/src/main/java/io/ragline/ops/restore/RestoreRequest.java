package io.ragline.ops.restore;

import io.ragline.ops.backup.BackupScope;
import java.util.List;

/**
 * The one input of {@link RestoreWorkflow}.
 *
 * @param backupId  a backup id, or {@code latest} (also when null)
 * @param target    where the backup lives: {@code file:///path} or {@code s3://bucket/prefix}
 * @param scope     what to restore; everything the backup holds but {@code kubernetesConfig} when null
 * @param taskQueue the task queue whose worker applies the restore (another environment's, in
 *                  disaster recovery); this worker's own when null
 */
public record RestoreRequest(String backupId, String target, List<BackupScope> scope, String taskQueue) {
}
