package io.ragline.devstack.serve;

import io.ragline.core.config.Env;
import io.ragline.ops.OpsMetrics;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.backup.BackupRequest;
import io.ragline.ops.backup.BackupStores;
import io.ragline.ops.backup.HourlyBackup;
import io.ragline.ops.backup.NewestBackup;
import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup side of the ops worker's start: ensures the hourly {@code BackupWorkflow}
 * ({@link Env#RAGLINE_BACKUP_SCHEDULE}) and keeps the backup gauges on the newest complete backup of
 * the target, read at start and every {@link #GAUGE_REFRESH}.
 */
public final class ScheduledBackups implements AutoCloseable {
    /** Also what RaglineBackupNeverSucceeded's description promises. */
    static final Duration GAUGE_REFRESH = Duration.ofMinutes(5);
    private static final Logger log = LoggerFactory.getLogger(ScheduledBackups.class);

    /** What {@link Env#RAGLINE_BACKUP_SCHEDULE} asks for. */
    public enum Schedule { HOURLY, OFF }

    private final NewestBackup newest;

    public ScheduledBackups(Map<String, String> env, String target, WorkflowClient client, BackupStores stores,
                            OpsMetrics metrics, Path workDir) {
        Schedule schedule = schedule(env);
        if (schedule == Schedule.HOURLY) {
            // every field null: each run takes the worker's defaults then, as {} from the Temporal UI does
            HourlyBackup.Mode mode = new HourlyBackup(client, OpsWorker.TASK_QUEUE)
                    .ensure(new BackupRequest(null, null, null, null, null));
            log.info("hourly backup to {} ensured: {} {}", target, mode, HourlyBackup.SCHEDULER_ID);
        } else {
            log.info("no hourly backup ({}=off)", Env.RAGLINE_BACKUP_SCHEDULE.name());
        }
        newest = new NewestBackup(stores, target, metrics, workDir).start(GAUGE_REFRESH);
    }

    /** Empty: hourly where a backup target is set, off where backups would only land in the data directory. */
    public static Schedule schedule(Map<String, String> env) {
        String value = Env.RAGLINE_BACKUP_SCHEDULE.lookup(env)
                .orElse(Env.RAGLINE_BACKUP_TARGET.lookup(env).isPresent() ? "hourly" : "off");
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "hourly" -> Schedule.HOURLY;
            case "off" -> Schedule.OFF;
            default -> throw new IllegalArgumentException(
                    Env.RAGLINE_BACKUP_SCHEDULE.name() + " must be hourly or off, was '" + value + "'");
        };
    }

    @Override
    public void close() {
        newest.close();
    }
}
