package io.ragline.ops.backup;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Runs {@link BackupWorkflow} as a child every {@link BackupCadence#every()}, for ever: the hourly
 * backup where the Temporal server has no Schedules API (the Java test server behind the embedded
 * and the distributed runtimes). {@link HourlyBackup} starts it once, under a fixed workflow id.
 */
@WorkflowInterface
public interface BackupSchedulerWorkflow {
    @WorkflowMethod
    void run(BackupCadence cadence);

    @QueryMethod
    BackupSchedulerStatus status();
}
