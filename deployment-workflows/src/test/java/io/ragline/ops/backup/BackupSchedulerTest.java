package io.ragline.ops.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.ops.OpsMetricNames;
import io.ragline.ops.OpsMetrics;
import io.ragline.ops.OpsOutcomeActivitiesImpl;
import io.ragline.ops.OpsWorker;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hourly backup where the server has no Schedules API, on the time-skipping test server: the
 * real {@link BackupSchedulerWorkflowImpl} starting the real {@link BackupWorkflowImpl}, whose
 * activities only record the manifests they are asked to write.
 */
class BackupSchedulerTest {
    private static final BackupRequest DEFAULTS = new BackupRequest(null, null, null, null, null);

    private TestWorkflowEnvironment env;
    private SimpleMeterRegistry meters;
    private final RecordingActivities activities = new RecordingActivities();

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        meters = new SimpleMeterRegistry();
        Worker worker = env.newWorker(OpsWorker.TASK_QUEUE);
        BackupSettings settings = BackupSettings.of("file:///backups", List.of(BackupScope.METADATA));
        worker.registerWorkflowImplementationFactory(BackupWorkflow.class, () -> new BackupWorkflowImpl(settings));
        worker.registerWorkflowImplementationTypes(BackupSchedulerWorkflowImpl.class);
        worker.registerActivitiesImplementations(activities, new OpsOutcomeActivitiesImpl(new OpsMetrics(meters)));
        env.start();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    @Test
    void theTestServerHasNoSchedulesSoTheSchedulerWorkflowRunsAndASecondEnsureStartsNoSecondOne() {
        HourlyBackup hourly = new HourlyBackup(env.getWorkflowClient(), OpsWorker.TASK_QUEUE);

        assertThat(hourly.ensure(DEFAULTS)).isEqualTo(HourlyBackup.Mode.SCHEDULER_STARTED);
        // another workflows process, or this one restarted
        assertThat(new HourlyBackup(env.getWorkflowClient(), OpsWorker.TASK_QUEUE).ensure(DEFAULTS))
                .isEqualTo(HourlyBackup.Mode.SCHEDULER_RUNNING);
        env.sleep(Duration.ofMinutes(2 * 60 + 30));

        // runs at 0h, 1h, 2h: one scheduler, not two
        assertThat(activities.manifests).hasSize(3);
        assertThat(activities.manifests).allSatisfy(m -> assertThat(m.scope()).containsExactly(BackupScope.METADATA));
        assertThat(status(HourlyBackup.SCHEDULER_ID)).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    }

    @Test
    void nHoursGiveNBackupsOneAnHourAcrossContinueAsNew() {
        HourlyBackup hourly = new HourlyBackup(env.getWorkflowClient(), OpsWorker.TASK_QUEUE);
        assertThat(hourly.ensureScheduler(new BackupCadence(DEFAULTS, Duration.ofHours(1), 2)))
                .isEqualTo(HourlyBackup.Mode.SCHEDULER_STARTED);

        env.sleep(Duration.ofMinutes(4 * 60 + 30));

        assertThat(activities.manifests).hasSize(5);
        List<Instant> times = activities.manifests.stream().map(BackupManifest::createdAt).toList();
        for (int i = 1; i < times.size(); i++) {
            // the child's own clock, a few milliseconds after its slot
            assertThat(Duration.between(times.get(i - 1), times.get(i))).as("gap before run " + i)
                    .isBetween(Duration.ofHours(1).minusSeconds(1), Duration.ofHours(1).plusSeconds(1));
        }
        assertThat(activities.manifests).extracting(BackupManifest::backupId).doesNotHaveDuplicates();
        // five runs at two per history: this is the third execution, one run into it
        BackupSchedulerStatus status = env.getWorkflowClient()
                .newWorkflowStub(BackupSchedulerWorkflow.class, HourlyBackup.SCHEDULER_ID).status();
        assertThat(status.runs()).isEqualTo(1);
        assertThat(status.lastBackupId()).isEqualTo(activities.manifests.getLast().backupId());
        assertThat(status.lastRun()).startsWith("backup/scheduled-");
        assertThat(status.lastFailure()).isNull();
        assertThat(status(HourlyBackup.SCHEDULER_ID)).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    }

    @Test
    void aFailingBackupDoesNotStopTheSchedule() {
        activities.failingRuns.addAll(List.of(2, 4)); // the runs at 1h and 3h
        new HourlyBackup(env.getWorkflowClient(), OpsWorker.TASK_QUEUE).ensure(DEFAULTS);

        env.sleep(Duration.ofMinutes(3 * 60 + 30));

        assertThat(activities.dumps).isEqualTo(4);
        assertThat(activities.manifests).hasSize(2);
        assertThat(runs("failed")).isEqualTo(2);
        BackupSchedulerStatus status = env.getWorkflowClient()
                .newWorkflowStub(BackupSchedulerWorkflow.class, HourlyBackup.SCHEDULER_ID).status();
        assertThat(status.runs()).isEqualTo(4);
        assertThat(status.lastFailure()).contains("PostgreSQL is down");
        assertThat(status.lastBackupId()).isEqualTo(activities.manifests.getLast().backupId());
        assertThat(status(HourlyBackup.SCHEDULER_ID)).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    }

    @Test
    void theInputTheReadmeDocumentsForTheTemporalUiParses() throws Exception {
        BackupCadence cadence = io.temporal.common.converter.JacksonJsonPayloadConverter.newDefaultObjectMapper()
                .readValue("{\"request\": {}, \"every\": \"PT1H\", \"runsPerHistory\": 24}", BackupCadence.class);

        assertThat(cadence).isEqualTo(BackupCadence.hourly(DEFAULTS));
        assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("README.md")))
                .contains("`{\"request\": {}, \"every\": \"PT1H\", \"runsPerHistory\": 24}`");
    }

    private double runs(String outcome) {
        return meters.get(OpsMetricNames.OPS_WORKFLOWS).tag("workflow", "backup").tag("outcome", outcome)
                .counter().count();
    }

    private WorkflowExecutionStatus status(String workflowId) {
        WorkflowStub stub = env.getWorkflowClient().newUntypedWorkflowStub(workflowId);
        return env.getWorkflowClient().getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
                DescribeWorkflowExecutionRequest.newBuilder().setNamespace(env.getNamespace())
                        .setExecution(stub.getExecution()).build())
                .getWorkflowExecutionInfo().getStatus();
    }

    /** Records each manifest; the dump of the runs in {@code failingRuns} (1-based) fails for good. */
    static final class RecordingActivities implements BackupActivities {
        final List<BackupManifest> manifests = new CopyOnWriteArrayList<>();
        final List<Integer> failingRuns = new CopyOnWriteArrayList<>();
        volatile int dumps;

        @Override
        public MetadataBackup dumpMetadata(String target, String backupId) {
            dumps++;
            if (failingRuns.contains(dumps)) {
                throw ApplicationFailure.newNonRetryableFailure("PostgreSQL is down", "Unavailable");
            }
            return new MetadataBackup(List.of(new Artifact("metadata/documents.csv", BackupScope.METADATA, "00", 1,
                    java.util.Map.of())), "1");
        }

        @Override
        public IndexBackup snapshotIndex(String target, String backupId, List<ProbeQuery> probes) {
            throw new UnsupportedOperationException("not in scope");
        }

        @Override
        public List<Artifact> exportKafka(String target, String backupId) {
            throw new UnsupportedOperationException("not in scope");
        }

        @Override
        public List<Artifact> exportKubernetes(String target, String backupId, String namespace) {
            throw new UnsupportedOperationException("not in scope");
        }

        @Override
        public void writeManifest(String target, BackupManifest manifest) {
            manifests.add(manifest);
        }

        @Override
        public List<String> cleanUp(String target, int retentionDays, long nowMillis) {
            return List.of();
        }
    }
}
