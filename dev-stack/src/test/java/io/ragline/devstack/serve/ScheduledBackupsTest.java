package io.ragline.devstack.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.ops.OpsMetricNames;
import io.ragline.ops.OpsMetrics;
import io.ragline.ops.backup.BackupIds;
import io.ragline.ops.backup.BackupManifest;
import io.ragline.ops.backup.BackupScope;
import io.ragline.ops.backup.BackupStores;
import io.ragline.ops.backup.HourlyBackup;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RAGLINE_BACKUP_SCHEDULE and what the ops worker does about backups when it starts. */
class ScheduledBackupsTest {
    @TempDir
    Path tmp;

    @Test
    void hourlyByDefaultWhereATargetIsSetOffWhereNoneIsAndAnythingElseIsRefused() {
        assertThat(ScheduledBackups.schedule(Map.of("RAGLINE_BACKUP_TARGET", "s3://b/p")))
                .isEqualTo(ScheduledBackups.Schedule.HOURLY);
        assertThat(ScheduledBackups.schedule(Map.of())).isEqualTo(ScheduledBackups.Schedule.OFF);
        assertThat(ScheduledBackups.schedule(Map.of("RAGLINE_BACKUP_TARGET", "s3://b/p", "RAGLINE_BACKUP_SCHEDULE", "off")))
                .isEqualTo(ScheduledBackups.Schedule.OFF);
        assertThat(ScheduledBackups.schedule(Map.of("RAGLINE_BACKUP_SCHEDULE", "Hourly")))
                .isEqualTo(ScheduledBackups.Schedule.HOURLY);
        assertThatThrownBy(() -> ScheduledBackups.schedule(Map.of("RAGLINE_BACKUP_SCHEDULE", "daily")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("RAGLINE_BACKUP_SCHEDULE must be hourly or off, was 'daily'");
    }

    @Test
    void atStartTheSchedulerIsEnsuredOnceAndTheGaugesReadTheNewestBackupInTheTarget() throws Exception {
        String target = tmp.resolve("backups").toUri().toString();
        String id = "20260301T100000Z-abcdef";
        Path manifest = tmp.resolve("manifest.json");
        JacksonJsonPayloadConverter.newDefaultObjectMapper().writeValue(manifest.toFile(), new BackupManifest(
                BackupManifest.FORMAT, id, Instant.ofEpochMilli(BackupIds.epochMillis(id)), List.of(BackupScope.METADATA),
                "1", List.of(), List.of(), 42));
        new BackupStores(null).open(target).put(id + "/" + BackupManifest.FILE, manifest);
        Map<String, String> env = Map.of("RAGLINE_BACKUP_TARGET", target);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();

        try (TestWorkflowEnvironment temporal = TestWorkflowEnvironment.newInstance();
             BackupStores stores = new BackupStores(null)) {
            // no worker polls here: the scheduler waits for its first task, which is all this test looks at
            try (ScheduledBackups first = new ScheduledBackups(env, target, temporal.getWorkflowClient(), stores,
                    new OpsMetrics(meters), tmp.resolve("work"))) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(meters.find(OpsMetricNames.BACKUP_LAST_SUCCESS).gauge()).isNotNull());
                assertThat(meters.get(OpsMetricNames.BACKUP_LAST_SUCCESS).gauge().value())
                        .isEqualTo(BackupIds.epochMillis(id) / 1000.0);
                assertThat(meters.get(OpsMetricNames.BACKUP_SIZE).gauge().value()).isEqualTo(42);
            }
            String runId = runId(temporal);
            // a restart, or a second workflows process: the same scheduler run
            new ScheduledBackups(env, target, temporal.getWorkflowClient(), stores, new OpsMetrics(new SimpleMeterRegistry()),
                    tmp.resolve("work")).close();
            assertThat(runId(temporal)).isEqualTo(runId);
            assertThat(status(temporal, runId)).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
        }
    }

    /** The scheduler's current run. */
    private static String runId(TestWorkflowEnvironment temporal) {
        return describe(temporal, "").getExecution().getRunId();
    }

    private static WorkflowExecutionStatus status(TestWorkflowEnvironment temporal, String runId) {
        return describe(temporal, runId).getStatus();
    }

    private static io.temporal.api.workflow.v1.WorkflowExecutionInfo describe(TestWorkflowEnvironment temporal,
                                                                              String runId) {
        return temporal.getWorkflowClient().getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
                DescribeWorkflowExecutionRequest.newBuilder().setNamespace(temporal.getNamespace())
                        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(HourlyBackup.SCHEDULER_ID)
                                .setRunId(runId)).build())
                .getWorkflowExecutionInfo();
    }
}
