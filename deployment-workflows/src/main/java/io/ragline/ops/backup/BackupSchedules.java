package io.ragline.ops.backup;

import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleUpdate;
import java.time.Duration;
import java.util.List;

/**
 * The Temporal Schedule that runs {@link BackupWorkflow} every hour (an RPO of one hour). Needs a
 * real Temporal server: the Java test server behind the embedded runtime has no schedules, where
 * {@link HourlyBackup} starts a {@link BackupSchedulerWorkflow} instead.
 */
public final class BackupSchedules {
    public static final String SCHEDULE_ID = "ragline-backup-hourly";

    private final ScheduleClient client;
    private final String taskQueue;

    public BackupSchedules(ScheduleClient client, String taskQueue) {
        this.client = client;
        this.taskQueue = taskQueue;
    }

    /** The schedule: every {@code every}, a run skipped while the previous one still runs. */
    public Schedule schedule(BackupRequest request, Duration every) {
        return Schedule.newBuilder()
                .setAction(ScheduleActionStartWorkflow.newBuilder()
                        .setWorkflowType(BackupWorkflow.class)
                        .setArguments(request)
                        .setOptions(WorkflowOptions.newBuilder()
                                // Temporal appends the scheduled time, so every run has its own id
                                .setWorkflowId("backup/scheduled")
                                .setTaskQueue(taskQueue)
                                .setWorkflowExecutionTimeout(every.multipliedBy(2))
                                .build())
                        .build())
                .setSpec(ScheduleSpec.newBuilder()
                        .setIntervals(List.of(new ScheduleIntervalSpec(every)))
                        .build())
                .setPolicy(SchedulePolicy.newBuilder()
                        .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
                        .setCatchupWindow(every)
                        .build())
                .build();
    }

    /** Creates the hourly schedule, or updates it to {@code request} when it exists. Idempotent. */
    public ScheduleHandle ensureHourly(BackupRequest request) {
        Schedule schedule = schedule(request, Duration.ofHours(1));
        try {
            return client.createSchedule(SCHEDULE_ID, schedule, ScheduleOptions.newBuilder().build());
        } catch (ScheduleAlreadyRunningException e) {
            ScheduleHandle handle = client.getHandle(SCHEDULE_ID);
            handle.update(input -> new ScheduleUpdate(schedule));
            return handle;
        }
    }
}
