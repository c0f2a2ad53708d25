package io.ragline.ops.restore;

import io.ragline.ops.backup.BackupScope;
import java.util.List;
import java.util.Map;

/**
 * What a restore does in this runtime, decided from the manifest and the runtime's capabilities
 * before anything is paused or changed.
 *
 * @param scope   the parts restored, in order
 * @param skipped parts of the backup left alone, with why (shown in the status)
 * @param rebuild the index rebuild from the logs that follows the restore, or null (the index was
 *                restored from the backup, or is not this runtime's)
 */
public record RestorePlan(List<BackupScope> scope, Map<String, String> skipped, IndexRebuild rebuild) {
}
