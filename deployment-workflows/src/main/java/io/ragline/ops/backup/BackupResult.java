package io.ragline.ops.backup;

import java.time.Instant;
import java.util.List;

/** What {@link BackupWorkflow} returns: the id to restore and what retention removed. */
public record BackupResult(String backupId, String target, Instant createdAt, int artifacts, long totalBytes,
                           List<String> deleted) {
}
