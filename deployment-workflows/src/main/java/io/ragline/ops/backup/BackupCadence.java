package io.ragline.ops.backup;

import java.time.Duration;

/**
 * The one input of {@link BackupSchedulerWorkflow}.
 *
 * @param request        what each run backs up; all-null fields mean the worker's defaults, as {@code {}} does
 * @param every          time from one run's start to the next
 * @param runsPerHistory runs before the workflow continues as new, which bounds its history
 */
public record BackupCadence(BackupRequest request, Duration every, int runsPerHistory) {
    /** 24 runs, one day of hourly backups, keep a history of a few hundred events. */
    public static BackupCadence hourly(BackupRequest request) {
        return new BackupCadence(request, Duration.ofHours(1), 24);
    }

    public BackupCadence {
        if (every == null || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("'every' must be a positive duration, was " + every);
        }
        if (runsPerHistory < 1) {
            throw new IllegalArgumentException("'runsPerHistory' must be at least 1, was " + runsPerHistory);
        }
    }
}
