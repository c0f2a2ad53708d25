package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.ops.OpsMetrics;
import io.ragline.ops.OpsResources;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.backup.BackupIds;
import io.ragline.ops.backup.BackupManifest;
import io.ragline.ops.backup.BackupScope;
import io.ragline.ops.backup.BackupSettings;
import io.ragline.ops.backup.BackupStores;
import io.ragline.ops.deploy.DeploySettings;
import io.ragline.ops.dr.DisasterRecoveryWorkflow;
import io.ragline.ops.dr.DrMode;
import io.ragline.ops.dr.DrRequest;
import io.ragline.ops.dr.DrResult;
import io.ragline.ops.dr.KubernetesDrEnvironment;
import io.ragline.ops.dr.KubernetesDrSettings;
import io.ragline.ops.restore.RestoreActivities;
import io.ragline.ops.restore.RestorePlan;
import io.ragline.ops.restore.VerifyReport;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DisasterRecoveryWorkflow against the dr overlay's warm standby ({@link MockDrNamespace}), as the
 * ops worker of {@code serve workflows} with {@code RAGLINE_DR_NAMESPACE} runs it. The restore's
 * activities are the DR workers' ({@code ragline-ops.dr}): here a stand-in that refuses to write
 * while PostgreSQL is still a read-only replica, so the order of promotion and restore is checked.
 */
class DisasterRecoveryOnKubernetesTest {
    @TempDir
    Path tmp;
    private MockDrNamespace k8s;
    private TestWorkflowEnvironment env;
    private String backups;
    private final List<String> restoreCalls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        k8s = new MockDrNamespace();
        backups = tmp.resolve("backups").toUri().toString();
        BackupManifest manifest = writeBackup(Instant.parse("2026-03-01T10:00:00Z"));
        KubernetesDrEnvironment standby = new KubernetesDrEnvironment(k8s.ops,
                new KubernetesDrSettings("dr", MockDrNamespace.NS, Duration.ofSeconds(2)));
        OpsResources primary = OpsResources.builder(new BackupStores(null), new OpsMetrics(new SimpleMeterRegistry()),
                tmp.resolve("work")).environments(standby).traffic(standby).build();
        env = TestWorkflowEnvironment.newInstance();
        OpsWorker.register(env.newWorker(OpsWorker.TASK_QUEUE), DeploySettings.defaults(), BackupSettings.of(backups),
                primary);
        env.newWorker(OpsWorker.environmentTaskQueue("dr")).registerActivitiesImplementations(new DrSideRestore(manifest));
        env.start();
    }

    @AfterEach
    void tearDown() {
        env.close();
        k8s.close();
    }

    @Test
    void aFailoverPromotesScalesUpRestoresAndMovesTheProductionHost() {
        DrResult result = workflow().recover(new DrRequest(DrMode.FAILOVER, backups, "dr"));

        assertThat(result.previousEnvironment()).isEqualTo("primary");
        assertThat(result.tornDown()).isFalse();
        assertThat(result.restored()).containsEntry("metadata.documents", 3L);
        assertThat(restoreCalls).containsExactly("pause", "metadata", "verify", "resume");
        assertThat(k8s.replicaMode()).isFalse();
        assertThat(k8s.deployment("ragline-ingest").getSpec().getReplicas()).isEqualTo(2);
        assertThat(k8s.deployment("ragline-workflows").getSpec().getReplicas()).isEqualTo(1);
        assertThat(k8s.ingress().getSpec().getRules()).extracting(IngressRule::getHost)
                .contains("search.ragline.example.com");
        k8s.assertEveryRequestGranted();
    }

    @Test
    void aFailoverIntoTheStandbyThatAlreadyServesChangesNothing() {
        workflow().recover(new DrRequest(DrMode.FAILOVER, backups, "dr"));
        restoreCalls.clear();
        k8s.opsRequests.clear();

        DisasterRecoveryWorkflow again = env.getWorkflowClient().newWorkflowStub(DisasterRecoveryWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(OpsWorker.TASK_QUEUE).setWorkflowId("dr/again").build());
        assertThatThrownBy(() -> again.recover(new DrRequest(DrMode.FAILOVER, backups, "dr")))
                .isInstanceOf(WorkflowFailedException.class).rootCause()
                .satisfies(f -> assertThat(((ApplicationFailure) f).getType()).isEqualTo("AlreadyServing"));
        assertThat(restoreCalls).isEmpty();
        assertThat(k8s.opsRequests).extracting(ApiRequest::verb).containsOnly("get");
        k8s.assertEveryRequestGranted();
    }

    @Test
    void aDrillLeavesTheStandbyStoppedAndPostgresInReplicaMode() {
        DrResult result = workflow().recover(new DrRequest(DrMode.DRILL, backups, "dr"));

        assertThat(result.tornDown()).isTrue();
        assertThat(restoreCalls).contains("metadata");
        assertThat(k8s.replicaMode()).isTrue();
        assertThat(k8s.deployment("ragline-ingest").getSpec().getReplicas()).isZero();
        assertThat(k8s.deployment("ragline-workflows").getSpec().getReplicas()).isZero();
        assertThat(MockDrNamespace.annotations(k8s.scaledObject()))
                .containsEntry("autoscaling.keda.sh/paused-replicas", "0");
        assertThat(k8s.ingress().getSpec().getRules()).extracting(IngressRule::getHost)
                .doesNotContain("search.ragline.example.com");
        k8s.assertEveryRequestGranted();
    }

    @Test
    void aFailoverWhosePostgresNeverPromotesFailsWithoutRestoringOrMovingTraffic() {
        k8s.controllers.postgresPromotes = false;

        assertThatThrownBy(() -> workflow().recover(new DrRequest(DrMode.FAILOVER, backups, "dr")))
                .isInstanceOf(WorkflowFailedException.class).rootCause().hasMessageContaining("promoted");

        assertThat(restoreCalls).isEmpty();
        assertThat(k8s.deployment("ragline-ingest").getSpec().getReplicas()).isZero();
        assertThat(k8s.ingress().getSpec().getRules()).extracting(IngressRule::getHost)
                .doesNotContain("search.ragline.example.com");
        k8s.assertEveryRequestGranted();
    }

    private DisasterRecoveryWorkflow workflow() {
        return env.getWorkflowClient().newWorkflowStub(DisasterRecoveryWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(OpsWorker.TASK_QUEUE).setWorkflowId("dr").build());
    }

    /** A complete backup: a manifest (metadata scope, no artifacts to check). */
    private BackupManifest writeBackup(Instant createdAt) throws Exception {
        String id = BackupIds.newId(createdAt.toEpochMilli(), UUID.randomUUID());
        BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, id, createdAt, List.of(BackupScope.METADATA),
                "1", List.of(), List.of(), 0);
        Path dir = Files.createDirectories(tmp.resolve("backups").resolve(id));
        JacksonJsonPayloadConverter.newDefaultObjectMapper().writeValue(dir.resolve(BackupManifest.FILE).toFile(), manifest);
        return manifest;
    }

    /** The DR workflow workers' restore activities, writing into PostgreSQL only once it is writable. */
    private final class DrSideRestore implements RestoreActivities {
        private final BackupManifest manifest;

        DrSideRestore(BackupManifest manifest) {
            this.manifest = manifest;
        }

        @Override
        public BackupManifest verifyBackup(String target, String backupId) {
            return manifest;
        }

        @Override
        public RestorePlan plan(BackupManifest m, List<BackupScope> requested) {
            return new RestorePlan(m.scope(), Map.of(), null);
        }

        @Override
        public void pauseIngestion(String reason) {
            restoreCalls.add("pause");
        }

        @Override
        public void resumeIngestion() {
            restoreCalls.add("resume");
        }

        @Override
        public Map<String, Long> restoreMetadata(String target, BackupManifest m) {
            if (k8s.replicaMode() || k8s.timeline() < 2) {
                throw ApplicationFailure.newNonRetryableFailure("cannot execute COPY in a read-only transaction",
                        "ReadOnly");
            }
            restoreCalls.add("metadata");
            return Map.of("documents", 3L);
        }

        @Override
        public Map<String, Long> restoreIndex(String target, BackupManifest m) {
            throw new UnsupportedOperationException("not in this backup");
        }

        @Override
        public Map<String, Long> restoreKafka(String target, BackupManifest m) {
            throw new UnsupportedOperationException("not in this backup");
        }

        @Override
        public VerifyReport verifyRestore(String target, BackupManifest m, List<BackupScope> scope) {
            restoreCalls.add("verify");
            return new VerifyReport(List.of(), Map.of("metadata.documents", 3L), 0);
        }
    }
}
