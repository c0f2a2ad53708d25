package io.ragline.ops.backup;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;

/**
 * Ensures the hourly backup, idempotently (every workflows process calls it at start): the Temporal
 * Schedule of {@link BackupSchedules} where the server has the Schedules API, else one
 * {@link BackupSchedulerWorkflow} under the fixed id {@link #SCHEDULER_ID}.
 */
public final class HourlyBackup {
    /** The scheduler workflow's id; the same as the Schedule's, so an operator finds either by one name. */
    public static final String SCHEDULER_ID = BackupSchedules.SCHEDULE_ID;

    /** How the hourly backup runs. */
    public enum Mode {
        /** a Temporal Schedule (created or updated) */
        SCHEDULE,
        /** a {@link BackupSchedulerWorkflow} started now */
        SCHEDULER_STARTED,
        /** a {@link BackupSchedulerWorkflow} that was already running (another process, or before a restart) */
        SCHEDULER_RUNNING
    }

    private final WorkflowClient client;
    private final BackupSchedules schedules;
    private final String taskQueue;

    public HourlyBackup(WorkflowClient client, String taskQueue) {
        this(client, new BackupSchedules(ScheduleClient.newInstance(client.getWorkflowServiceStubs(),
                ScheduleClientOptions.newBuilder().setNamespace(client.getOptions().getNamespace()).build()),
                taskQueue), taskQueue);
    }

    public HourlyBackup(WorkflowClient client, BackupSchedules schedules, String taskQueue) {
        this.client = client;
        this.schedules = schedules;
        this.taskQueue = taskQueue;
    }

    public Mode ensure(BackupRequest request) {
        try {
            schedules.ensureHourly(request);
            return Mode.SCHEDULE;
        } catch (RuntimeException e) {
            if (!unimplemented(e)) {
                throw e;
            }
        }
        return ensureScheduler(BackupCadence.hourly(request));
    }

    /** The fallback alone: starts the scheduler unless it runs. */
    public Mode ensureScheduler(BackupCadence cadence) {
        BackupSchedulerWorkflow scheduler = client.newWorkflowStub(BackupSchedulerWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(SCHEDULER_ID)
                        .setTaskQueue(taskQueue)
                        // a scheduler terminated by hand may be started again; a running one never twice
                        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                        .build());
        try {
            WorkflowClient.start(scheduler::run, cadence);
            return Mode.SCHEDULER_STARTED;
        } catch (WorkflowExecutionAlreadyStarted e) {
            return Mode.SCHEDULER_RUNNING;
        }
    }

    /** The Java test server answers UNIMPLEMENTED to every schedule call. */
    static boolean unimplemented(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                return true;
            }
        }
        return false;
    }
}
