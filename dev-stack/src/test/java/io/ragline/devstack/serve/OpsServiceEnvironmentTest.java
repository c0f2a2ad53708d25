package io.ragline.devstack.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.ops.OpsMetrics;
import io.ragline.ops.OpsOutcomeActivitiesImpl;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.backup.BackupRequest;
import io.ragline.ops.backup.BackupWorkflow;
import io.ragline.ops.restore.RestoreRequest;
import io.ragline.ops.restore.RestoreWorkflow;
import io.ragline.ops.restore.RestoreWorkflowImpl;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.TimeoutFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve workflows} in a DR environment ({@code RAGLINE_OPS_ENVIRONMENT=dr}, as the dr overlay
 * sets it): its ops worker serves the restores into that environment and takes none of the
 * primary's operations.
 */
class OpsServiceEnvironmentTest {
    private static final String PRIMARY = "primary-ops";
    @TempDir
    Path tmp;
    private TestWorkflowEnvironment env;
    private OpsService service;

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        // the primary's side: the restore workflow whose activities run on the environment's queue
        Worker primary = env.newWorker(PRIMARY);
        primary.registerWorkflowImplementationTypes(RestoreWorkflowImpl.class);
        primary.registerActivitiesImplementations(new OpsOutcomeActivitiesImpl(new OpsMetrics(new SimpleMeterRegistry())));
        env.start();
        service = new OpsService(Map.of("RAGLINE_OPS_ENVIRONMENT", "dr"), tmp, env.getWorkflowClient(), null,
                new SimpleMeterRegistry(), false);
    }

    @AfterEach
    void tearDown() {
        service.close();
        env.close();
    }

    @Test
    void itServesTheRestoreActivitiesOfItsEnvironment() {
        RestoreWorkflow restore = env.getWorkflowClient().newWorkflowStub(RestoreWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(PRIMARY).setWorkflowId("restore").build());
        String empty = tmp.resolve("no-backups").toUri().toString();

        // answered by the environment's worker: its backup reader found nothing there
        assertThatThrownBy(() -> restore.restore(new RestoreRequest("latest", empty, null,
                OpsWorker.environmentTaskQueue("dr"))))
                .isInstanceOf(WorkflowFailedException.class).rootCause()
                .hasMessageContaining("the target holds no complete backup");
        assertThat(service.running()).isTrue();
    }

    @Test
    void itTakesNoneOfThePrimarysOperations() {
        // nothing polls ragline-ops: the backup times out unstarted (a worker there would fail it at once, no Kafka)
        BackupWorkflow backup = env.getWorkflowClient().newWorkflowStub(BackupWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(OpsWorker.TASK_QUEUE).setWorkflowId("backup")
                        .setWorkflowExecutionTimeout(Duration.ofSeconds(10)).build());

        assertThatThrownBy(() -> backup.backup(new BackupRequest(null, null, null, null, null)))
                .isInstanceOf(WorkflowFailedException.class).cause().isInstanceOf(TimeoutFailure.class);
    }

    @Test
    void aStandbyDatabaseAndAKubernetesDrNamespaceBothNamingDrAreRefusedAtStart() {
        assertThatThrownBy(() -> new OpsService(Map.of("RAGLINE_DR_JDBC_URL", "jdbc:postgresql://127.0.0.1:1/ragline_dr",
                "RAGLINE_DR_NAMESPACE", "ragline-dr"), tmp.resolve("both"), env.getWorkflowClient(), null,
                new SimpleMeterRegistry(), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RAGLINE_DR_JDBC_URL").hasMessageContaining("set one of them");
    }
}
