package io.ragline.ops.backup;

import java.util.List;

/**
 * Worker-side defaults of {@link BackupWorkflowImpl}: what {@code {}} means. Constant for the life
 * of a worker (workflow code reads it).
 */
public record BackupSettings(BackupRequest defaults) {
    public static BackupSettings of(String target) {
        return of(target, List.of(BackupScope.METADATA, BackupScope.INDEX, BackupScope.KAFKA_OFFSETS));
    }

    /** {@code scope}: what {@code {}} backs up where this runtime cannot reach every part (the index of remote replicas). */
    public static BackupSettings of(String target, List<BackupScope> scope) {
        return new BackupSettings(new BackupRequest(List.copyOf(scope), target, 7, "ragline", List.of()));
    }
}
