package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.Topics;
import io.ragline.core.event.DocumentV1;
import io.ragline.devstack.ops.EmbeddedEnvironments;
import io.ragline.embed.EmbeddingWorkerConfig;
import io.ragline.ingest.lifecycle.LifecycleStarter;
import io.ragline.ops.OpsStatus;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.backup.BackupRequest;
import io.ragline.ops.backup.BackupResult;
import io.ragline.ops.backup.BackupWorkflow;
import io.ragline.ops.backup.ProbeQuery;
import io.ragline.ops.dr.DisasterRecoveryWorkflow;
import io.ragline.ops.dr.DrMode;
import io.ragline.ops.dr.DrRequest;
import io.ragline.ops.dr.DrResult;
import io.ragline.ops.restore.RestoreRequest;
import io.ragline.ops.restore.RestoreResult;
import io.ragline.ops.restore.RestoreWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #6 on the real embedded platform: a backup to a directory, changes after it, a restore that
 * brings search and metadata back to the backup's state and keeps them there once ingestion runs
 * again, and a disaster-recovery drill into a second platform on its own data directory. Driven
 * through Temporal, Kafka and HTTP, as an operator, a producer and an application would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsTest {
    private static final int DOCUMENTS = 8;
    private static final Duration SETTLE = Duration.ofMinutes(2);
    private static final List<String> QUERIES = List.of("amber axolotl expedition", "cobalt caracal valley",
            "dahlia dugong report");

    @TempDir
    static Path tempDir;

    private EmbeddedPlatform platform;
    private PlatformClient client;
    private WorkflowServiceStubs stubs;
    private WorkflowClient temporal;
    private Admin admin;
    private String target;

    private String backupId;
    private final Map<String, JsonNode> documentsAtBackup = new LinkedHashMap<>();
    private JsonNode statsAtBackup;
    private final Map<String, List<String>> searchAtBackup = new LinkedHashMap<>();

    @BeforeAll
    void start() throws Exception {
        int temporalPort = freePort();
        platform = EmbeddedPlatform.start(PlatformSettings.defaults(tempDir.resolve("data"))
                .withPorts(freePort(), freePort(), temporalPort, freePort(), freePort()), System.out);
        client = new PlatformClient(platform.bootstrapServers(), platform.httpPort(), platform.devApiKey());
        stubs = WorkflowServiceStubs.newConnectedServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:" + temporalPort).build(), Duration.ofSeconds(30));
        temporal = WorkflowClient.newInstance(stubs);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()));
        target = tempDir.resolve("backups").toUri().toString();
    }

    @AfterAll
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (stubs != null) {
            stubs.shutdown();
            stubs.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (client != null) {
            client.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    @Order(1)
    void aBackupRecordsMetadataIndexOffsetsAndProbeResults() throws Exception {
        for (int i = 0; i < DOCUMENTS; i++) {
            client.publish(document(i));
        }
        await().atMost(SETTLE).untilAsserted(() -> {
            JsonNode stats = client.get("/v1/stats");
            assertThat(stats.path("documents").path("active").asLong()).isEqualTo(DOCUMENTS);
            assertThat(stats.path("documents").path("pending").asLong()).isZero();
        });
        awaitQuiet();
        for (int i = 0; i < DOCUMENTS; i++) {
            documentsAtBackup.put(id(i), client.get("/v1/documents/" + id(i)));
        }
        statsAtBackup = client.get("/v1/stats");
        searchAtBackup.putAll(searches());

        BackupWorkflow backup = temporal.newWorkflowStub(BackupWorkflow.class, options("backup/test"));
        BackupResult result = backup.backup(new BackupRequest(null, target, null, null,
                QUERIES.stream().map(q -> new ProbeQuery("default", q, 5)).toList()));
        backupId = result.backupId();

        assertThat(Files.exists(tempDir.resolve("backups").resolve(backupId).resolve("manifest.json"))).isTrue();
        assertThat(Files.exists(tempDir.resolve("backups").resolve(backupId).resolve("index/index.zip"))).isTrue();
        OpsStatus status = backup.status();
        assertThat(status.state()).isEqualTo("SUCCEEDED");
        assertThat(status.figures().get("probesRecorded")).isEqualTo(QUERIES.size());
    }

    @Test
    @Order(2)
    void aRestoreBringsSearchAndMetadataBackToTheBackupAndKeepsThemThere() throws Exception {
        // after the backup: one document deleted, one changed, one new
        client.publish(DocumentV1.delete("default", id(2)));
        client.publish(DocumentV1.upsert("default", id(3), "Note 3, revised",
                "The revised note mentions a heliotrope lighthouse instead.", "text/plain", "test", Map.of()));
        client.publish(DocumentV1.upsert("default", "late.txt", "Written after the backup",
                "A vermilion zeppelin arrived after the backup was taken.", "text/plain", "test", Map.of()));
        await().atMost(SETTLE).untilAsserted(() -> {
            assertThat(client.get("/v1/documents/" + id(2)).path("status").asText()).isEqualTo("DELETED");
            assertThat(client.get("/v1/documents/" + id(3)).path("activeVersion").asLong()).isEqualTo(2);
            assertThat(client.get("/v1/documents/late.txt").path("status").asText()).isEqualTo("ACTIVE");
        });
        assertThat(searches()).isNotEqualTo(searchAtBackup);
        assertThat(topIds("vermilion zeppelin", "keyword")).containsExactly("late.txt");
        awaitQuiet();

        RestoreWorkflow restore = temporal.newWorkflowStub(RestoreWorkflow.class, options("restore/test"));
        RestoreResult result = restore.restore(new RestoreRequest(backupId, target, null, null));

        assertThat(result.backupId()).isEqualTo(backupId);
        assertThat(result.probesChecked()).isEqualTo(QUERIES.size());
        assertThat(result.counts()).containsEntry("index.documents", (long) DOCUMENTS);
        assertThat(restore.status().state()).isEqualTo("SUCCEEDED");

        // ingestion runs again and replays what came after the backup: the restored state must survive it
        awaitQuiet();
        assertMatchesBackup();
        assertThat(client.get("/v1/documents/late.txt").path("status").asInt()).isEqualTo(404);
        assertThat(topIds("vermilion zeppelin", "keyword")).isEmpty();
        assertThat(topIds("heliotrope lighthouse", "keyword")).doesNotContain(id(3));

        // and the restored platform keeps ingesting: a new version of the document rolled back
        client.publish(DocumentV1.upsert("default", id(3), "Note 3, third",
                "The third note is about a tangerine observatory.", "text/plain", "test", Map.of()));
        await().atMost(SETTLE).untilAsserted(() -> {
            JsonNode doc = client.get("/v1/documents/" + id(3));
            assertThat(doc.path("status").asText()).isEqualTo("ACTIVE");
            assertThat(doc.path("activeVersion").asLong()).isEqualTo(3);
            assertThat(topIds("tangerine observatory", "keyword")).containsExactly(id(3));
        });
    }

    @Test
    @Order(3)
    void aDisasterRecoveryDrillRestoresIntoASecondPlatformAndReportsRpoAndRto() {
        DisasterRecoveryWorkflow dr = temporal.newWorkflowStub(DisasterRecoveryWorkflow.class, options("dr/test"));
        DrResult result = dr.recover(new DrRequest(DrMode.DRILL, target, "dr"));

        assertThat(result.backupId()).isEqualTo(backupId);
        assertThat(result.tornDown()).isTrue();
        assertThat(result.rpoSeconds()).isGreaterThanOrEqualTo(0);
        // published after the backup (test 2): a delete, a revision, a new document, and a third version
        assertThat(result.rpoDocuments()).isEqualTo(4L);
        assertThat(result.rpoWindowStart()).isAfterOrEqualTo(result.backupCreatedAt())
                .isBeforeOrEqualTo(result.rpoWindowEnd());
        assertThat(result.rpoWindowEnd()).isBefore(java.time.Instant.now());
        assertThat(result.rtoSeconds()).isGreaterThan(0);
        assertThat(result.restored()).containsEntry("index.documents", (long) DOCUMENTS);
        assertThat(dr.status().figures()).containsKeys("rpoSeconds", "rtoSeconds");

        // the restore ran in the DR platform and its probe queries returned the backup's top results
        OpsStatus restore = temporal.newWorkflowStub(RestoreWorkflow.class, "dr/test/restore").status();
        assertThat(restore.state()).isEqualTo("SUCCEEDED");
        assertThat(restore.figures().get("probesChecked")).isEqualTo(QUERIES.size());
        assertThat(restore.figures().get("taskQueue")).isEqualTo(OpsWorker.environmentTaskQueue("dr"));
        // and its smoke test found documents by their titles there
        EmbeddedEnvironments environments = platform.operations().environments();
        assertThat(environments.lastSmokeAnswers("dr")).isNotEmpty()
                .allSatisfy((query, ids) -> assertThat(ids).isNotEmpty());
        assertThat(environments.platform("dr")).isNull();
        assertThat(tempDir.resolve("data/environments/dr")).doesNotExist();
        assertThat(platform.registry().find(io.ragline.ops.OpsMetricNames.DR_RTO).gauges()).isNotEmpty();
    }

    @Test
    @Order(4)
    void aFailoverIsRefusedAtItsStartBecauseTheEmbeddedRuntimeCannotMoveTraffic() {
        DisasterRecoveryWorkflow dr = temporal.newWorkflowStub(DisasterRecoveryWorkflow.class, options("dr/failover"));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dr.recover(new DrRequest(DrMode.FAILOVER, target, "dr")))
                .isInstanceOf(io.temporal.client.WorkflowFailedException.class)
                .rootCause().hasMessageContaining("traffic switch").hasMessageContaining("RAGLINE_DR_NAMESPACE");

        assertThat(dr.status().reason()).startsWith("check preconditions failed");
        assertThat(platform.operations().environments().platform("dr")).isNull();
        assertThat(tempDir.resolve("data/environments/dr")).doesNotExist();
    }

    private void assertMatchesBackup() throws Exception {
        for (Map.Entry<String, JsonNode> e : documentsAtBackup.entrySet()) {
            assertThat(client.get("/v1/documents/" + e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(client.get("/v1/stats")).isEqualTo(statsAtBackup);
        assertThat(searches()).isEqualTo(searchAtBackup);
    }

    private Map<String, List<String>> searches() throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String q : QUERIES) {
            for (String mode : List.of("hybrid", "keyword")) {
                out.put(mode + ": " + q, topIds(q, mode));
            }
        }
        return out;
    }

    private List<String> topIds(String query, String mode) throws Exception {
        PlatformClient.Response response = client.search(query, 5, mode);
        assertThat(response.status()).isEqualTo(200);
        return response.body().path("results").findValuesAsText("documentId");
    }

    /**
     * Waits until every consumer has caught up with its input: the ingest topology, the embedding
     * worker and the lifecycle starter (committed offsets at the end of their topics) and the
     * indexer (its index commit at the end of {@code ragline.embeddings}).
     */
    private void awaitQuiet() {
        await().atMost(SETTLE).untilAsserted(() -> {
            assertCaughtUp(EmbeddedPlatform.INGEST_APPLICATION_ID, Topics.DOCUMENTS, 0);
            // chunks and lifecycle events are written in transactions: the last marker is no record
            assertCaughtUp(EmbeddingWorkerConfig.DEFAULT_GROUP, Topics.CHUNKS, 1);
            assertCaughtUp(LifecycleStarter.GROUP_ID, Topics.LIFECYCLE, 1);
            Map<TopicPartition, Long> end = ends(Topics.EMBEDDINGS);
            Map<String, Long> indexed = platform.index().committedOffsets();
            end.forEach((tp, offset) -> assertThat(indexed.getOrDefault(tp.toString(), 0L)).as(tp.toString())
                    .isGreaterThanOrEqualTo(offset - 1));
            assertThat(client.get("/v1/stats").path("documents").path("pending").asLong()).isZero();
        });
    }

    private void assertCaughtUp(String group, String topic, int slack) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        ends(topic).forEach((tp, end) -> {
            if (end > 0) {
                assertThat(committed.get(tp)).as(group + " " + tp).isNotNull();
                assertThat(committed.get(tp).offset()).as(group + " " + tp).isGreaterThanOrEqualTo(end - slack);
            }
        });
    }

    private Map<TopicPartition, Long> ends(String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> specs = new LinkedHashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
                .forEach(p -> specs.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        admin.listOffsets(specs).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private static WorkflowOptions options(String id) {
        return WorkflowOptions.newBuilder().setTaskQueue(OpsWorker.TASK_QUEUE).setWorkflowId(id)
                .setWorkflowExecutionTimeout(Duration.ofMinutes(5)).build();
    }

    private static final String[] WORDS = {"amber", "basalt", "cobalt", "dahlia", "ember", "fjord", "garnet", "harbor"};
    private static final String[] ANIMALS = {"axolotl", "bison", "caracal", "dugong", "egret", "ferret", "gecko", "hoopoe"};

    private static String id(int i) {
        return String.format("note-%02d.txt", i);
    }

    private static DocumentV1 document(int i) {
        String text = "Field note " + i + ". The " + WORDS[i] + " " + ANIMALS[i] + " expedition reached the valley "
                + "at dawn. Everyone wrote down what they saw, and the archive kept a copy of each report.";
        return DocumentV1.upsert("default", id(i), "Note " + i, text, "text/plain", "test", Map.of("n", i));
    }

    private static int freePort() throws IOException {
        return FreePorts.next();
    }
}
