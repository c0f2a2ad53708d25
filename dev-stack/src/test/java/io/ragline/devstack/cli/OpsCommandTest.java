package io.ragline.devstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ragline.devstack.EmbeddedTemporal;
import io.ragline.devstack.FreePorts;
import io.ragline.ops.OpsStatus;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.StepEntry;
import io.ragline.ops.backup.BackupRequest;
import io.ragline.ops.backup.BackupResult;
import io.ragline.ops.backup.BackupWorkflow;
import io.ragline.ops.deploy.DeployRequest;
import io.ragline.ops.deploy.DeployResult;
import io.ragline.ops.deploy.DeployWorkflow;
import io.ragline.ops.dr.DisasterRecoveryWorkflow;
import io.ragline.ops.dr.DrRequest;
import io.ragline.ops.dr.DrResult;
import io.ragline.ops.restore.RestoreRequest;
import io.ragline.ops.restore.RestoreResult;
import io.ragline.ops.restore.RestoreWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ragline ops backup|restore|dr} against a real (test) Temporal server whose worker on {@code ragline-ops}
 * runs stand-in workflows that echo their input: checks what the typed stubs send, the steps printed from the
 * {@code status} query, the result lines and the exit codes.
 */
class OpsCommandTest {
    private static final Instant T0 = Instant.parse("2026-01-15T09:30:00Z");

    private static EmbeddedTemporal temporal;
    private static WorkflowServiceStubs stubs;
    private static WorkerFactory factory;

    @TempDir
    Path dir;

    @BeforeAll
    static void startTemporalAndWorker() throws Exception {
        temporal = EmbeddedTemporal.start(FreePorts.next());
        stubs = WorkflowServiceStubs.newConnectedServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build(), java.time.Duration.ofSeconds(10));
        factory = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs,
                WorkflowClientOptions.newBuilder().setNamespace("default").build()));
        factory.newWorker(OpsWorker.TASK_QUEUE).registerWorkflowImplementationTypes(
                EchoBackup.class, FailingRestore.class, EchoDr.class, EchoDeploy.class);
        factory.start();
    }

    @AfterAll
    static void stop() {
        factory.shutdown();
        factory.awaitTermination(10, TimeUnit.SECONDS);
        stubs.shutdown();
        stubs.awaitTermination(5, TimeUnit.SECONDS);
        temporal.close();
    }

    @Test
    void backupSendsTheOptionsAsABackupRequestAndPrintsTheId() {
        Run run = ragline("ops", "backup", "--temporal", temporal.target(), "--scope", "metadata,index",
                "--target", "file:///tmp/b", "--retention-days", "14", "--probe", "atomic versions",
                "--tenant", "acme", "--probe-k", "3");

        assertThat(run.exit()).as(run.err()).isZero();
        // the id echoes every field of the request the workflow received
        assertThat(run.out()).isEqualTo("[METADATA, INDEX]|file:///tmp/b|14|[ProbeQuery[tenant=acme, query=atomic versions, k=3]]"
                + System.lineSeparator());
        assertThat(run.err()).contains("BackupWorkflow backup/", "started (task queue ragline-ops)",
                "OK     dump metadata (1.5 s): 4 tables", "in file:///tmp/b");
    }

    @Test
    void backupWithoutOptionsLeavesEveryFieldToTheWorker() {
        Run run = ragline("ops", "backup", "--temporal", temporal.target());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("null|null|null|null" + System.lineSeparator());
    }

    @Test
    void failedRestoreExitsNonZeroWithTheWorkflowsReason() {
        Run run = ragline("ops", "restore", "20260115T093000Z-3f9a1c", "--temporal", temporal.target(),
                "--target", "s3://bucket/prod", "--scope", "metadata");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("RestoreWorkflow restore/");
        assertThat(run.err()).contains("error: RestoreWorkflow restore/", "failed: ",
                "checksum mismatch in 20260115T093000Z-3f9a1c at s3://bucket/prod for [METADATA]");
    }

    @Test
    void drRunsUnderItsEnvironmentsIdAndPrintsRpoAndRto() {
        Run run = ragline("ops", "dr", "--temporal", temporal.target(), "--mode", "FAILOVER",
                "--source", "s3://bucket/prod", "--target", "east");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("DisasterRecoveryWorkflow dr/east started",
                "FAILOVER into east from backup s3://bucket/prod", "RPO: 42 s", "RPO: 3 documents lost, acknowledged from " + T0.plusSeconds(5) + " to " + T0.plusSeconds(40),
                "RTO: 7 s")
                .doesNotContain("torn down");
    }

    @Test
    void deployStartsDeployWorkflowWithTheFilesInputAndTheImageUnderItsServicesId() throws Exception {
        Path input = dir.resolve("search.json");
        Files.writeString(input, """
                {"service": "ragline-search", "image": "ghcr.io/ragline/ragline:0.1.0", "namespace": "ragline-staging",
                 "strategy": "ROLLING", "analysis": {"prometheusUrl": "http://prometheus:9090", "interval": "PT1M"}}""");

        Run run = ragline("ops", "deploy", "--temporal", temporal.target(), "--input", input.toString(),
                "--image", "ghcr.io/ragline/ragline@sha256:abc");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("DeployWorkflow deploy/ragline-staging/ragline-search started",
                "SUCCEEDED: ragline-search in ragline-staging now runs ghcr.io/ragline/ragline@sha256:abc "
                        + "(was ghcr.io/ragline/ragline:0.1.0, ROLLING)");
    }

    @Test
    void deployRefusesAnInputTheWorkerWouldNotReadBeforeStartingAnything() throws Exception {
        Path typo = dir.resolve("typo.json");
        Files.writeString(typo, """
                {"service": "ragline-search", "image": "i", "namespace": "ragline-staging", "strategy": "ROLLING",
                 "canarySteps": [5, 50], "aproval": true}""");
        Path incomplete = dir.resolve("incomplete.json");
        Files.writeString(incomplete, """
                {"service": "ragline-search", "image": "i", "namespace": "ragline-staging"}""");

        Run unknown = ragline("ops", "deploy", "--temporal", temporal.target(), "--input", typo.toString());
        Run missing = ragline("ops", "deploy", "--temporal", temporal.target(), "--input", incomplete.toString());

        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("error: " + typo + ": Unrecognized field \"aproval\"");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("error: " + incomplete + ": 'strategy' is required");
        assertThat(unknown.out() + missing.out()).doesNotContain("started");
    }

    @Test
    void noTemporalIsAClearError() {
        Run run = ragline("ops", "backup", "--temporal", "127.0.0.1:" + FreePorts.next());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("error: no Temporal at 127.0.0.1:", "is `./ragline up` running?");
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run ragline(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RaglineCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static OpsStatus done(String workflow) {
        return new OpsStatus(workflow, "COMPLETED", "done",
                List.of(new StepEntry("dump metadata", "OK", T0, T0.plusMillis(1500), "4 tables")), Map.of(), null);
    }

    /** Returns the request it got, field by field, as the backup id. */
    public static final class EchoBackup implements BackupWorkflow {
        private OpsStatus status;

        @Override
        public BackupResult backup(BackupRequest r) {
            status = done("backup");
            return new BackupResult(r.scope() + "|" + r.target() + "|" + r.retentionDays() + "|" + r.probes(),
                    r.target(), T0, 3, 42, List.of());
        }

        @Override
        public OpsStatus status() {
            return status;
        }
    }

    /** Fails as a checksum mismatch, naming the request's fields. */
    public static final class FailingRestore implements RestoreWorkflow {
        @Override
        public RestoreResult restore(RestoreRequest r) {
            throw ApplicationFailure.newNonRetryableFailure("checksum mismatch in " + r.backupId() + " at " + r.target()
                    + " for " + r.scope(), "ChecksumMismatch");
        }

        @Override
        public OpsStatus status() {
            return null;
        }
    }

    /** Reports the request's image as deployed, the file's original one as previous. */
    public static final class EchoDeploy implements DeployWorkflow {
        @Override
        public DeployResult deploy(DeployRequest r) {
            return new DeployResult("SUCCEEDED", r.service(), r.namespace(), r.strategy(), r.image(),
                    "ghcr.io/ragline/ragline:0.1.0", null, null);
        }

        @Override
        public void approve() {
        }

        @Override
        public void abort(String reason) {
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }

        @Override
        public OpsStatus status() {
            return null;
        }
    }

    /** Echoes the source as the backup id. */
    public static final class EchoDr implements DisasterRecoveryWorkflow {
        @Override
        public DrResult recover(DrRequest r) {
            return new DrResult(r.mode(), r.source(), T0, r.target(), 42, 3L, T0.plusSeconds(5), T0.plusSeconds(40), 7,
                    "primary", Map.of(), false);
        }

        @Override
        public OpsStatus status() {
            return done("dr");
        }
    }
}
