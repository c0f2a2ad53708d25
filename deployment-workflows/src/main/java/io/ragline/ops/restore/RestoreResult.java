package io.ragline.ops.restore;

import io.ragline.ops.backup.BackupScope;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * @param createdAt     when the restored backup was taken: the restored data is this old
 * @param counts        what verification counted after the restore (equal to the manifest's)
 * @param probesChecked probe queries whose top results matched those recorded at backup time
 */
public record RestoreResult(String backupId, Instant createdAt, List<BackupScope> scope, Map<String, Long> counts,
                            int probesChecked) {
}
