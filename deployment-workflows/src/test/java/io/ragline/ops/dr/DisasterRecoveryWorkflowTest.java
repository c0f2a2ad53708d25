package io.ragline.ops.dr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.ops.DirectoryIndex;
import io.ragline.ops.OpsMetricNames;
import io.ragline.ops.OpsMetrics;
import io.ragline.ops.OpsResources;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.RecordingIngestion;
import io.ragline.ops.TestPostgres;
import io.ragline.ops.backup.BackupRequest;
import io.ragline.ops.backup.BackupScope;
import io.ragline.ops.backup.BackupSettings;
import io.ragline.ops.backup.BackupStores;
import io.ragline.ops.backup.BackupWorkflow;
import io.ragline.ops.backup.ProbeQuery;
import io.ragline.ops.deploy.DeploySettings;
import io.ragline.core.Topics;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disaster recovery into a second environment: its own database and index, served by its own
 * restore worker on its own task queue, as the runtime will run it.
 */
@EnableKubernetesMockClient(crud = true)
class DisasterRecoveryWorkflowTest {
    private static final String NS = "ragline";
    static KubernetesClient client;
    private static HikariDataSource source;
    private static HikariDataSource target;

    @TempDir
    Path tmp;
    private TestWorkflowEnvironment env;
    private DirectoryIndex targetIndex;
    private SimpleMeterRegistry meters;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    /** Starts of the target that fail (as if it were still coming up) before one succeeds. */
    private final java.util.concurrent.atomic.AtomicInteger failingStarts = new java.util.concurrent.atomic.AtomicInteger();
    private java.time.Instant backupCreatedAt;
    private volatile boolean smokeTestFails;
    private String backups;

    private static KafkaClusterTestKit kafka;
    private static Admin admin;

    @BeforeAll
    static void databases() throws Exception {
        source = TestPostgres.database("dr_source");
        target = TestPostgres.database("dr_target");
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    }

    @AfterAll
    static void close() throws Exception {
        source.close();
        target.close();
        admin.close();
        kafka.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        try (Connection c = source.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO documents (tenant, id, version, active_version, status) VALUES "
                    + "('t', 'a.md', 1, 1, 'ACTIVE'), ('t', 'b.md', 2, 2, 'ACTIVE')");
        }
        DirectoryIndex sourceIndex = new DirectoryIndex(tmp.resolve("primary-index"));
        sourceIndex.put("a.md", "recovery point objective");
        sourceIndex.put("b.md", "recovery time objective and recovery drills");
        targetIndex = new DirectoryIndex(tmp.resolve("dr-index"));
        meters = new SimpleMeterRegistry();
        backups = tmp.resolve("backups").toUri().toString();
        client.resource(new IngressBuilder()
                .withNewMetadata().withName("ragline").withNamespace(NS).endMetadata()
                .withNewSpec().addNewRule().withHost("search.example").withNewHttp().addNewPath()
                    .withPath("/").withPathType("Prefix")
                    .withNewBackend().withNewService().withName("search-api").withNewPort().withNumber(8080).endPort()
                    .endService().endBackend()
                .endPath().endHttp().endRule().endSpec()
                .build()).inNamespace(NS).createOr(op -> op.update());

        // a fresh ragline.documents per test: the RPO counts what it holds
        if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(Topics.DOCUMENTS)) {
            admin.deleteTopics(List.of(Topics.DOCUMENTS)).all().get(30, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            admin.createTopics(List.of(new NewTopic(Topics.DOCUMENTS, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            return true;
        });

        environments = new Environments() {
            @Override
            public List<String> check(String name) {
                return "dr".equals(name) ? List.of() : List.of("no environment " + name + " (known: dr)");
            }

            @Override
            public EnvironmentInfo start(String name) {
                if (failingStarts.getAndDecrement() > 0) {
                    throw new IllegalStateException(name + " is still starting");
                }
                calls.add("start " + name);
                return new EnvironmentInfo(name, OpsWorker.environmentTaskQueue(name), "http://" + name + ":8080");
            }

            @Override
            public List<String> smokeTest(String name) {
                calls.add("smoke-test " + name);
                if (smokeTestFails) {
                    return List.of("search answered 503");
                }
                return targetIndex.topIds("t", "recovery", 5).isEmpty() ? List.of("search found nothing") : List.of();
            }

            @Override
            public void tearDown(String name) {
                calls.add("tear down " + name);
            }
        };
        sourceIndexForWorkers = sourceIndex;
        startWorkers(new KubernetesTrafficSwitch(client, NS, "ragline",
                Map.of("primary", "search-api", "dr", "search-api-dr")));

        backupCreatedAt = env.getWorkflowClient().newWorkflowStub(BackupWorkflow.class, options("backup"))
                .backup(new BackupRequest(List.of(BackupScope.METADATA, BackupScope.INDEX), null, null, null,
                        List.of(new ProbeQuery("t", "recovery drills", 2)))).createdAt();
    }

    private Environments environments;
    private DirectoryIndex sourceIndexForWorkers;

    /** The primary's ops worker (with {@code traffic}, which may be null) and the DR side's restore worker. */
    private void startWorkers(TrafficSwitch traffic) {
        OpsMetrics metrics = new OpsMetrics(meters);
        OpsResources primary = OpsResources.builder(new BackupStores(null), metrics, tmp.resolve("work"))
                .metadata(source).index(sourceIndexForWorkers).probe(sourceIndexForWorkers)
                .ingestion(new RecordingIngestion()).kafka(admin)
                .environments(environments)
                .traffic(traffic)
                .build();
        OpsResources drSide = OpsResources.builder(new BackupStores(null), metrics, tmp.resolve("dr-work"))
                .metadata(target).index(targetIndex).probe(targetIndex).ingestion(new RecordingIngestion())
                .build();
        env = TestWorkflowEnvironment.newInstance();
        OpsWorker.register(env.newWorker(OpsWorker.TASK_QUEUE), DeploySettings.defaults(), BackupSettings.of(backups),
                primary);
        OpsWorker.registerRestoreTarget(env.newWorker(OpsWorker.environmentTaskQueue("dr")), drSide);
        env.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        env.close();
        try (Connection c = source.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE documents");
        }
        try (Connection c = target.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE documents");
        }
    }

    @Test
    void aDrillRestoresIntoTheTargetReportsRpoAndRtoAndTearsItDown() {
        DrResult result = workflow().recover(new DrRequest(DrMode.DRILL, backups, "dr"));

        assertThat(result.tornDown()).isTrue();
        assertThat(result.restored()).containsEntry("metadata.documents", 2L).containsEntry("index.documents", 2L);
        assertThat(TestPostgres.count(target, "SELECT count(*) FROM documents")).isEqualTo(2);
        assertThat(targetIndex.topIds("t", "recovery drills", 2)).containsExactly("b.md", "a.md");
        assertThat(calls).containsExactly("start dr", "smoke-test dr", "tear down dr");
        assertThat(result.backupCreatedAt()).isEqualTo(backupCreatedAt);
        assertThat(meters.get(OpsMetricNames.DR_RPO).tag("mode", "DRILL").gauge().value())
                .isEqualTo((double) result.rpoSeconds());
        assertThat(meters.get(OpsMetricNames.DR_RTO).tag("mode", "DRILL").gauge().value())
                .isEqualTo((double) result.rtoSeconds());
        assertThat(backend()).isEqualTo("search-api"); // a drill never moves traffic
        assertThat(runs("dr", "completed")).isEqualTo(1);
        assertThat(runs("dr", "failed")).isZero();
        assertThat(runs("restore", "completed")).isEqualTo(1);
    }

    @Test
    void aFailedDrillIsCountedAsFailedAndNotAsCompleted() {
        smokeTestFails = true;

        assertThatThrownBy(() -> workflow().recover(new DrRequest(DrMode.DRILL, backups, "dr")))
                .isInstanceOf(WorkflowFailedException.class)
                .cause().hasMessageContaining("search answered 503");

        assertThat(calls).containsExactly("start dr", "smoke-test dr", "tear down dr");
        assertThat(runs("dr", "failed")).isEqualTo(1);
        assertThat(runs("dr", "completed")).isZero();
        assertThat(runs("restore", "completed")).isEqualTo(1); // the restore itself went well
    }

    @Test
    void aRunWithoutItsInputsIsCountedAsFailed() {
        assertThatThrownBy(() -> workflow().recover(new DrRequest(DrMode.FAILOVER, backups, " ")))
                .isInstanceOf(WorkflowFailedException.class);

        assertThat(runs("dr", "failed")).isEqualTo(1);
        assertThat(calls).isEmpty();
    }

    private double runs(String workflow, String outcome) {
        return meters.get(OpsMetricNames.OPS_WORKFLOWS).tag("workflow", workflow).tag("outcome", outcome)
                .counter().count();
    }

    @Test
    void aFailoverSwitchesTrafficAndKeepsTheTarget() {
        DrResult result = workflow().recover(new DrRequest(DrMode.FAILOVER, backups, "dr"));

        assertThat(result.previousEnvironment()).isEqualTo("primary");
        assertThat(result.tornDown()).isFalse();
        assertThat(backend()).isEqualTo("search-api-dr");
        assertThat(calls).containsExactly("start dr", "smoke-test dr");
        assertThat(meters.get(OpsMetricNames.DR_RTO).tag("mode", "FAILOVER").gauge()).isNotNull();
    }

    @Test
    void rpoIsTheBackupsAgeWhenTheRunStartsAndRtoTheTimeFromThereToServing() {
        // the backup is three hours old when disaster strikes; the target needs two failed starts
        // (retried after 2 s, then 4 s) before it comes up
        env.sleep(java.time.Duration.ofHours(3));
        failingStarts.set(2);
        long before = env.currentTimeMillis();

        DrResult result = workflow().recover(new DrRequest(DrMode.DRILL, backups, "dr"));
        long after = env.currentTimeMillis();

        long age = (before - backupCreatedAt.toEpochMilli()) / 1000;
        assertThat(age).isBetween(3 * 3600L, 3 * 3600L + 60);
        assertThat(result.rpoSeconds()).isBetween(age - 1, age + 1);
        assertThat(result.rtoSeconds()).isBetween(6L, (after - before) / 1000 + 1).isLessThan(600L);
        assertThat(meters.get(OpsMetricNames.DR_RPO).tag("mode", "DRILL").gauge().value())
                .isEqualTo((double) result.rpoSeconds());
        assertThat(meters.get(OpsMetricNames.DR_RTO).tag("mode", "DRILL").gauge().value())
                .isEqualTo((double) result.rtoSeconds());
    }

    @Test
    void rpoCountsTheDocumentsAcknowledgedAfterTheBackupAndTheirWindow() throws Exception {
        // three before the consistency point (in the backup), five after it (lost), over both partitions
        Instant point = backupCreatedAt;
        publish(0, point.minusSeconds(60), point.minusSeconds(30), point.minusMillis(1));
        publish(0, point.plusSeconds(5), point.plusSeconds(9));
        publish(1, point.plusSeconds(2), point.plusSeconds(7), point.plusSeconds(11));

        DisasterRecoveryWorkflow dr = workflow();
        DrResult result = dr.recover(new DrRequest(DrMode.DRILL, backups, "dr"));

        assertThat(result.rpoDocuments()).isEqualTo(5L);
        assertThat(result.rpoWindowStart()).isEqualTo(point.plusSeconds(2));
        assertThat(result.rpoWindowEnd()).isEqualTo(point.plusSeconds(11));
        assertThat(dr.status().figures()).containsEntry("rpoDocuments", 5)
                .containsEntry("rpoWindowStart", point.plusSeconds(2).toString())
                .containsEntry("rpoWindowEnd", point.plusSeconds(11).toString());
        assertThat(meters.get(OpsMetricNames.DR_RPO_DOCUMENTS).tag("mode", "DRILL").gauge().value()).isEqualTo(5.0);
    }

    @Test
    void nothingAcknowledgedAfterTheBackupIsNoLoss() throws Exception {
        publish(1, backupCreatedAt.minusSeconds(1));

        DrResult result = workflow().recover(new DrRequest(DrMode.DRILL, backups, "dr"));

        assertThat(result.rpoDocuments()).isZero();
        assertThat(result.rpoWindowStart()).isNull();
        assertThat(result.rpoWindowEnd()).isNull();
    }

    @Test
    void aFailoverWithoutATrafficSwitchIsRefusedBeforeAnythingStarts() {
        env.close();
        startWorkers(null);

        assertRefusedAtStart(DrMode.FAILOVER, backups, "dr", "NotConfigured", "RAGLINE_DR_NAMESPACE");
    }

    @Test
    void aRuntimeWithoutEnvironmentsRefusesAtTheStartNamingTheVariable() {
        // as serve workflows without RAGLINE_DR_NAMESPACE (./ragline up --distributed)
        env.close();
        environments = null;
        startWorkers(null);

        assertRefusedAtStart(DrMode.DRILL, backups, "dr", "NotConfigured", "RAGLINE_DR_NAMESPACE");
    }

    @Test
    void aFailoverToTheEnvironmentThatAlreadyServesIsRefusedBeforeAnythingStarts() {
        client.network().v1().ingresses().inNamespace(NS).withName("ragline").edit(i -> {
            i.getSpec().getRules().getFirst().getHttp().getPaths().getFirst().getBackend().getService()
                    .setName("search-api-dr");
            return i;
        });

        assertRefusedAtStart(DrMode.FAILOVER, backups, "dr", "AlreadyServing", "dr already serves the traffic");
        assertThat(backend()).isEqualTo("search-api-dr");
    }

    @Test
    void anUnknownTargetIsRefusedBeforeAnythingStarts() {
        assertRefusedAtStart(DrMode.FAILOVER, backups, "dr-west", "EnvironmentNotReady", "no environment dr-west");
        assertThat(backend()).isEqualTo("search-api");
    }

    @Test
    void aBackupThatDoesNotVerifyIsRefusedBeforeAnythingStarts() throws Exception {
        Path manifestDir = Path.of(java.net.URI.create(backups)).resolve(
                java.nio.file.Files.list(Path.of(java.net.URI.create(backups))).findFirst().orElseThrow().getFileName());
        try (var files = java.nio.file.Files.walk(manifestDir)) {
            Path artifact = files.filter(java.nio.file.Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().equals("manifest.json")).findFirst().orElseThrow();
            java.nio.file.Files.write(artifact, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        }

        assertRefusedAtStart(DrMode.FAILOVER, backups, "dr", "ChecksumMismatch", "SHA-256");
        assertThat(backend()).isEqualTo("search-api");
    }

    @Test
    void aSourceWithoutACompleteBackupIsRefusedBeforeAnythingStarts() {
        assertRefusedAtStart(DrMode.DRILL, tmp.resolve("no-backups").toUri().toString(), "dr", "NoBackup",
                "no complete backup");
    }

    /** The run fails at its first step with {@code type}, and nothing was started, restored or switched. */
    private void assertRefusedAtStart(DrMode mode, String from, String to, String type, String message) {
        DisasterRecoveryWorkflow dr = workflow();
        assertThatThrownBy(() -> dr.recover(new DrRequest(mode, from, to)))
                .isInstanceOf(WorkflowFailedException.class)
                .rootCause().isInstanceOf(ApplicationFailure.class)
                .satisfies(f -> assertThat(((ApplicationFailure) f).getType()).isEqualTo(type))
                .hasMessageContaining(message);
        assertThat(dr.status().figures()).doesNotContainKey("endpoint");
        assertThat(dr.status().reason()).startsWith("check preconditions failed");
        assertThat(calls).isEmpty();
        assertThat(runs("restore", "completed") + runs("restore", "failed")).isZero();
        assertThat(TestPostgres.count(target, "SELECT count(*) FROM documents")).isZero();
        assertThat(runs("dr", "failed")).isEqualTo(1);
    }

    private static void publish(int partition, Instant... timestamps) throws Exception {
        try (var producer = new KafkaProducer<String, String>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (Instant t : timestamps) {
                producer.send(new ProducerRecord<>(Topics.DOCUMENTS, partition, t.toEpochMilli(), "t/doc-" + t,
                        "{}")).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private DisasterRecoveryWorkflow workflow() {
        return env.getWorkflowClient().newWorkflowStub(DisasterRecoveryWorkflow.class, options("dr"));
    }

    private static WorkflowOptions options(String id) {
        return WorkflowOptions.newBuilder().setTaskQueue(OpsWorker.TASK_QUEUE).setWorkflowId(id).build();
    }

    private static String backend() {
        return client.network().v1().ingresses().inNamespace(NS).withName("ragline").get().getSpec().getRules()
                .getFirst().getHttp().getPaths().getFirst().getBackend().getService().getName();
    }
}
