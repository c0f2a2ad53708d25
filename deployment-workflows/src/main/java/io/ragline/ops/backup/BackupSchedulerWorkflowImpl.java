package io.ragline.ops.backup;

import io.ragline.ops.Failures;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;

public final class BackupSchedulerWorkflowImpl implements BackupSchedulerWorkflow {
    private static final Logger log = Workflow.getLogger(BackupSchedulerWorkflowImpl.class);
    private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private int runs;
    private String lastRun;
    private String lastBackupId;
    private String lastFailure;

    @Override
    public void run(BackupCadence cadence) {
        // runs are due on slots an interval apart from the first: the time a run takes does not shift the next
        long slot = Workflow.currentTimeMillis();
        for (int i = 0; i < cadence.runsPerHistory(); i++) {
            runs++;
            // like the Schedule's runs: the scheduled time in the id, one id per run
            lastRun = "backup/scheduled-" + RUN_TIME.format(Instant.ofEpochMilli(slot));
            BackupWorkflow backup = Workflow.newChildWorkflowStub(BackupWorkflow.class, ChildWorkflowOptions.newBuilder()
                    .setWorkflowId(lastRun)
                    .setWorkflowExecutionTimeout(cadence.every().multipliedBy(2))
                    .build());
            try {
                lastBackupId = backup.backup(cadence.request()).backupId();
                lastFailure = null;
            } catch (ChildWorkflowFailure e) {
                // the failed run is counted and alerted on by BackupWorkflow itself; the next hour still comes
                lastFailure = Failures.describe(e);
                log.warn("scheduled backup {} failed: {}", lastRun, lastFailure);
            }
            slot += cadence.every().toMillis();
            long now = Workflow.currentTimeMillis();
            if (slot < now) {
                // a run longer than the interval: the next one starts now, the missed slots are skipped
                slot = now;
            }
            Workflow.sleep(Duration.ofMillis(slot - now));
        }
        Workflow.continueAsNew(cadence);
    }

    @Override
    public BackupSchedulerStatus status() {
        return new BackupSchedulerStatus(runs, lastRun, lastBackupId, lastFailure);
    }
}
