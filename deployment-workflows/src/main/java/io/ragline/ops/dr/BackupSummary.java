package io.ragline.ops.dr;

import java.time.Instant;

/** The newest complete backup of a source. */
public record BackupSummary(String backupId, Instant createdAt) {
}
