package io.ragline.ops.backup;

import java.util.List;

/**
 * Worker-side defaults of {@link BackupWorkflowImpl}: what {@code {}} means. Constant for the life
 * of a worker (workflow code reads it).
 */
public record BackupSettings(BackupRequest defaults) {
    public static BackupSettings of(String target) {
        return new BackupSettings(new BackupRequest(
                List.of(BackupScope.METADATA, BackupScope.INDEX, BackupScope.KAFKA_OFFSETS),
                target, 7, "ragline", List.of()));
    }
}
