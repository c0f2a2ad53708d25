package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ragline.core.event.DocumentV1;
import io.ragline.core.json.Json;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The distributed platform on one machine, through its production entry point: the packaged
 * {@code ragline up --distributed} in a JVM of its own, every role its own OS process with the
 * environment docker-compose.yml gives it, a real Prometheus scraping them, S3Proxy holding backups.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributedPlatformIT {
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final Path REPO = TARGET.getParent().getParent();
    private static final int DOCUMENTS = 500;
    private static final int WAVES = 4;
    private static final List<String> TOPICS = List.of("lighthouses", "orchards", "glaciers", "volcanoes", "harbours",
            "vineyards", "observatories", "railways", "libraries", "bridges");

    private static final java.util.regex.Pattern SUBQUERY = java.util.regex.Pattern.compile("\\[\\d+[smh]:\\d+[smh]]");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Path data;
    private Path log;
    private Process up;
    private int apiPort;
    private int kafkaPort;
    private int temporalPort;
    private int prometheusPort;
    private int postgresPort;
    private String apiKey;
    private int badRecords;
    private final java.util.Set<Integer> handedOut = new java.util.HashSet<>();

    @BeforeAll
    void start() throws Exception {
        data = Files.createTempDirectory(TARGET, "distributed-it-");
        log = TARGET.resolve("distributed-it-up.log");
        apiPort = freeRange(2);
        kafkaPort = freePort();
        temporalPort = freePort();
        prometheusPort = freePort();
        List<String> args = new ArrayList<>(List.of("up", "--distributed", "--data-dir", data.toString(),
                "--http-port", Integer.toString(apiPort), "--role-port-base", Integer.toString(freeRange(4)),
                "--kafka-port", Integer.toString(kafkaPort), "--kafka-controller-port", Integer.toString(freePort()),
                "--temporal-port", Integer.toString(temporalPort), "--postgres-port", Integer.toString(postgresPort = freePort()),
                "--s3-port", Integer.toString(freePort()), "--prometheus-port", Integer.toString(prometheusPort),
                "--blackbox-port", Integer.toString(freePort()), "--node-exporter-port", Integer.toString(freePort()),
                "--scrape-interval", "PT1S"));
        up = ragline(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(up.isAlive()).as("ragline up --distributed exited:%n%s", tail(log, 40)).isTrue();
            assertThat(Files.readString(log)).contains("ragline (distributed) is up");
        });
        apiKey = Files.readString(data.resolve("dev-api-key")).strip();
        // every role reports ready (the launcher waited for each; a role it gave up on fails here)
        for (JsonNode role : roles()) {
            assertThat(status(role.path("port").asInt(), "/health/ready")).as(role.toString()).isEqualTo(200);
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (up == null) {
            return;
        }
        up.destroy(); // SIGTERM, as Ctrl-C
        boolean stopped = up.waitFor(3, TimeUnit.MINUTES);
        if (!stopped) {
            up.destroyForcibly();
        }
        for (JsonNode role : roles()) {
            ProcessHandle.of(role.path("pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
        }
        assertThat(stopped).as("stops within 3 minutes").isTrue();
        String out = Files.readString(log);
        assertThat(out).contains("stopping workflows-1", "stopping ingest-1", "ragline stopped.");
        assertThat(out.indexOf("stopping workflows-1")).as("roles stop in reverse order").isLessThan(out.indexOf("stopping ingest-1"));
        for (JsonNode role : roles()) {
            assertThat(ProcessHandle.of(role.path("pid").asLong()).map(ProcessHandle::isAlive).orElse(false))
                    .as(role.path("name") + " stopped").isFalse();
        }
    }

    @Test
    @Order(1)
    void everyDocumentIsActiveExactlyOnceOnBothReplicasAfterEachRoleIsKilledMidIngest() throws Exception {
        List<String> victims = List.of("embedder-1", "search-2", "ingest-1", "workflows-1");
        Map<String, Double> recovery = new LinkedHashMap<>();
        try (PlatformClient client = new PlatformClient("127.0.0.1:" + kafkaPort, apiPort, apiKey)) {
            int perWave = DOCUMENTS / WAVES;
            for (int wave = 0; wave < WAVES; wave++) {
                for (int i = wave * perWave; i < (wave + 1) * perWave; i++) {
                    client.publish(document(i));
                }
                badRecords += publishBad(client, wave);
                recovery.put(victims.get(wave), killAndAwaitRestart(victims.get(wave), client));
            }
        }
        System.out.println("recovery after kill -9 (until the new process is ready), seconds:");
        recovery.forEach((role, seconds) -> System.out.printf("  %-12s %6.1f%n", role, seconds));

        try (PlatformClient client = new PlatformClient("127.0.0.1:" + kafkaPort, apiPort, apiKey)) {
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                JsonNode stats = client.get("/v1/stats");
                assertThat(stats.path("documents").path("failed").asLong()).as(stats.toString()).isZero();
                assertThat(stats.path("documents").path("active").asLong()).as(stats.toString()).isEqualTo(DOCUMENTS);
                assertThat(stats.path("documents").path("pending").asLong()).as(stats.toString()).isZero();
            });
            // the DLQ holds the deliberately bad records, no more, no fewer (every search replica counts it)
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
                    assertThat(client.get("/v1/stats").path("dlq").asLong()).isEqualTo(badRecords));
        }
        List<Integer> replicas = roles().stream().filter(r -> r.path("role").asText().equals("search"))
                .map(r -> r.path("port").asInt()).toList();
        assertThat(replicas).hasSize(2);
        // every version is whole on each replica: the replica holds exactly the chunks the metadata counts
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            for (int i = 0; i < DOCUMENTS; i++) {
                String id = "doc-" + i + ".txt";
                JsonNode doc = getJson(apiPort, "/v1/documents/" + id);
                assertThat(doc.path("status").asText()).as(doc.toString()).isEqualTo("ACTIVE");
                for (int port : replicas) {
                    JsonNode held = getJson(port, "/internal/v1/index/default/" + id + "?version=" + doc.path("activeVersion").asLong());
                    assertThat(held.path("indexedChunks").asLong()).as("%s on :%d", id, port)
                            .isEqualTo(doc.path("chunkCount").asLong());
                }
            }
        });
        // the same answers from both replicas for a fixed query set, each chunk once. (Deeper ranks of
        // near-identical documents may differ: BM25 statistics and HNSW graphs depend on each index's
        // segments, which a restarted replica builds differently.)
        for (int i : List.of(3, 57, 123, 188, 250, 311, 374, 402, 466, 499)) {
            String query = "field notes number " + i + " about " + TOPICS.get(i % TOPICS.size());
            for (int port : replicas) {
                List<String> chunks = topChunks(port, query);
                assertThat(chunks).as("%s on :%d", query, port).isNotEmpty().doesNotHaveDuplicates()
                        .allMatch(c -> c.endsWith("#1#0"));
                assertThat(chunks.getFirst()).as("%s on :%d", query, port).isEqualTo("default/doc-" + i + ".txt#1#0");
            }
        }
        // the roles log as compose makes them (RAGLINE_LOG_FORMAT=json): one JSON object a line, but for
        // what the JVM itself prints before main
        for (JsonNode role : roles()) {
            for (String line : Files.readAllLines(Path.of(role.path("log").asText()))) {
                if (line.startsWith("WARNING: Using incubator modules") || line.startsWith("Picked up JAVA_TOOL_OPTIONS")) {
                    continue;
                }
                JsonNode json = Json.mapper().readTree(line);
                assertThat(json.isObject()).as("%s: %s", role.path("name"), line).isTrue();
                assertThat(json.path("role").asText()).as(line).isEqualTo(role.path("role").asText());
                assertThat(json.has("level") && json.has("logger_name") && json.has("message")).as(line).isTrue();
            }
        }
        assertThat(Files.readString(log)).contains("[supervisor] embedder-1", "[supervisor] search-2",
                "[supervisor] ingest-1", "[supervisor] workflows-1");
    }

    @Test
    @Order(2)
    void prometheusScrapesEveryRoleAndEveryShippedExpressionReturnsData() throws Exception {
        assumeTrue(onPath("prometheus") && onPath("promtool") && onPath("prometheus-blackbox-exporter")
                && onPath("prometheus-node-exporter"), "no prometheus, promtool, prometheus-blackbox-exporter or "
                + "prometheus-node-exporter on the PATH (Debian packages; .ci/run installs them)");
        // a 4xx and a backup to S3Proxy, through the ops worker of the workflows role, as from the Temporal UI
        assertThat(post(apiPort, "/v1/search", "{\"query\":\"\",\"topK\":3}")).isEqualTo(400);
        JsonNode backup = runBackup();
        assertThat(backup.path("target").asText()).as(backup.toString()).startsWith("s3://");
        try (Stream<Path> stored = Files.walk(data.resolve("distributed/s3/blobs"))) {
            assertThat(stored.filter(Files::isRegularFile).map(Path::toString)).as("objects in S3Proxy")
                    .anyMatch(p -> p.contains(backup.path("backupId").asText()));
        }
        for (int i = 0; i < 20; i++) {
            assertThat(post(apiPort + (i % 2), "/v1/search", "{\"query\":\"" + TOPICS.get(i % TOPICS.size()) + "\",\"topK\":5}"))
                    .isEqualTo(200);
        }

        // labels as the Prometheus Operator gives the ServiceMonitor's targets
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
                assertThat(query("count by (job, service, namespace, pod, container, endpoint) (up{service=~\"ragline-.*\"} == 1)").size()).isEqualTo(roles().size()));
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
                assertThat(query("ragline_backup_last_success_timestamp_seconds")).isNotEmpty());

        Path k8sRules = TARGET.resolve("prometheusrule-groups.yml");
        JsonNode rule = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(
                REPO.resolve("k8s/base/monitoring/prometheusrule.yaml").toFile());
        new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().writeValue(k8sRules.toFile(),
                Map.of("groups", rule.path("spec").path("groups")));
        List<String> check = new ArrayList<>(List.of("promtool", "check", "rules", k8sRules.toString()));
        try (Stream<Path> files = Files.list(REPO.resolve("monitoring/prometheus/rules"))) {
            files.map(Path::toString).filter(p -> p.endsWith(".yml")).sorted().forEach(check::add);
        }
        Process promtool = new ProcessBuilder(check).redirectErrorStream(true).start();
        String promtoolOut = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor()).as(promtoolOut).isZero();

        List<String> empty = new ArrayList<>();
        StringBuilder table = new StringBuilder("expression (source: name) -> series\n");
        for (MonitoringExpressions.Expression e : MonitoringExpressions.all(REPO)) {
            assertThat(parses(e.promql())).as("%s %s parses: %s", e.source(), e.name(), e.promql()).isTrue();
            if (MonitoringExpressions.kubernetesOnly(e.promql())) {
                table.append(String.format("  %-40s %-45s Kubernetes only (cAdvisor/kubelet)%n", e.source(), e.name()));
                continue;
            }
            for (String part : MonitoringExpressions.steadyStateParts(e.promql())) {
                int series = query(part).size();
                if (series == 0 && SUBQUERY.matcher(part).find()) {
                    // a subquery at 1m steps needs two minute boundaries of data: wait for them
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(5))
                            .until(() -> !query(part).isEmpty());
                    series = query(part).size();
                }
                table.append(String.format("  %-40s %-45s %3d  %s%n", e.source(), e.name(), series, oneLine(part)));
                boolean milvus = part.contains("dependency=\"milvus\""); // no Milvus runs on this machine
                if (series == 0 && !milvus) {
                    empty.add(e.source() + " " + e.name() + ": " + oneLine(part));
                }
            }
        }
        System.out.println(table);
        assertThat(empty).as("expressions that return nothing in steady state").isEmpty();
    }

    // ---- workload -------------------------------------------------------------------------------

    private static DocumentV1 document(int i) {
        String topic = TOPICS.get(i % TOPICS.size());
        return DocumentV1.upsert("default", "doc-" + i + ".txt", "Notes on " + topic + " " + i,
                "Field notes number " + i + " about " + topic + ": the survey team visited site " + i
                        + " and recorded what they saw of the " + topic + " there.", "text/plain", "it", Map.of());
    }

    /** Records the ingest topology must refuse into the DLQ with a reason; returns how many. */
    private static int publishBad(PlatformClient client, int wave) throws Exception {
        client.publishRaw("default/bad-json-" + wave, "{not json".getBytes(StandardCharsets.UTF_8));
        client.publishRaw("default/bad-id-" + wave, ("{\"schema\":\"ragline.document.v1\",\"tenant\":\"default\","
                + "\"text\":\"no id\"}").getBytes(StandardCharsets.UTF_8));
        return 2;
    }

    private double killAndAwaitRestart(String name, PlatformClient client) throws Exception {
        JsonNode before = role(name);
        long pid = before.path("pid").asLong();
        long start = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL, as kill -9
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                .ignoreException(java.net.ConnectException.class).untilAsserted(() -> {
            JsonNode now = role(name);
            assertThat(now.path("pid").asLong()).as(name + " restarted").isNotEqualTo(pid);
            assertThat(status(now.path("port").asInt(), "/health/ready")).isEqualTo(200);
            if (name.startsWith("search")) {
                // the other replica keeps serving while this one is down
                assertThat(client.search("lighthouses", 3, "hybrid").status()).isEqualTo(200);
            }
        });
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Nobody starts this backup: the workflows role ensured the hourly one at start, and since the
     * Temporal test server has no Schedules API, its scheduler workflow ran the first run into S3Proxy.
     */
    @Test
    @Order(3)
    void theWorkflowsRoleRunsTheHourlyBackupIntoS3ProxyOnItsOwn() throws Exception {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newConnectedServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + temporalPort).build(), Duration.ofSeconds(30));
        try {
            WorkflowStub scheduler = WorkflowClient.newInstance(stubs).newUntypedWorkflowStub("ragline-backup-hourly");
            await().atMost(Duration.ofMinutes(3)).ignoreExceptions().untilAsserted(() ->
                    assertThat(scheduler.query("status", JsonNode.class).path("lastBackupId").asText())
                            .matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}"));
            JsonNode status = scheduler.query("status", JsonNode.class);
            assertThat(status.path("lastRun").asText()).startsWith("backup/scheduled-");
            String id = status.path("lastBackupId").asText();
            try (Stream<Path> stored = Files.walk(data.resolve("distributed/s3/blobs"))) {
                assertThat(stored.filter(Files::isRegularFile).map(Path::toString)).as("objects in S3Proxy")
                        .anyMatch(p -> p.contains(id) && p.endsWith("manifest.json"));
            }
        } finally {
            stubs.shutdown();
        }
    }

    /**
     * A restore on the running fleet, as an operator starts it from the Temporal UI: a document
     * deleted after the backup comes back, with every chunk, on both replicas, and ingestion goes on.
     */
    @Test
    @Order(4)
    void aRestoreStartedByTypeNameBringsBackADeletedDocumentOnEveryReplica() throws Exception {
        String id = "restore-me.txt";
        String words = "quillwort marshland survey of the estuary";
        assertThat(post(apiPort, "/v1/documents", Json.writeString(Map.of("schema", "ragline.document.v1", "id", id,
                "title", "Estuary survey", "text", words + ". " + "The quillwort grows where the tide turns. ".repeat(60)))))
                .isEqualTo(202);
        List<Integer> replicas = roles().stream().filter(r -> r.path("role").asText().equals("search"))
                .map(r -> r.path("port").asInt()).toList();
        JsonNode before = awaitWhole(id, replicas);
        long activeBefore = getJson(apiPort, "/v1/stats").path("documents").path("active").asLong();
        String backupId = runBackup().path("backupId").asText();

        assertThat(delete(apiPort, "/v1/documents/" + id)).isEqualTo(202);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(getJson(apiPort, "/v1/documents/" + id).path("status").asText()).isEqualTo("DELETED");
            for (int port : replicas) {
                assertThat(topDocuments(port, words)).as("on :%d", port).doesNotContain(id);
            }
        });

        JsonNode result;
        WorkflowStub restore;
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newConnectedServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + temporalPort).build(), Duration.ofSeconds(30));
        try {
            restore = WorkflowClient.newInstance(stubs).newUntypedWorkflowStub("RestoreWorkflow", WorkflowOptions.newBuilder()
                    .setTaskQueue("ragline-ops").setWorkflowId("it-restore-" + System.nanoTime()).build());
            // the README's input, as typed into the Temporal UI's Start Workflow form
            restore.start(Json.mapper().readTree("{\"backupId\": \"" + backupId + "\", \"target\": \"" + backupTarget() + "\"}"));
            result = restore.getResult(5, TimeUnit.MINUTES, JsonNode.class);
            JsonNode status = restore.query("status", JsonNode.class);
            System.out.println("restore status: " + status);
            assertThat(status.path("steps").toString()).contains("rebuild index from the logs")
                    .contains("restore kafkaOffsets");
            assertThat(status.path("figures").path("indexGeneration").asLong()).isGreaterThan(1);
        } finally {
            stubs.shutdown();
        }
        assertThat(result.path("backupId").asText()).isEqualTo(backupId);
        assertThat(result.path("scope").toString()).isEqualTo("[\"metadata\"]");

        JsonNode after = awaitWhole(id, replicas);
        assertThat(after.path("activeVersion").asLong()).isEqualTo(before.path("activeVersion").asLong());
        assertThat(getJson(apiPort, "/v1/stats").path("documents").path("active").asLong()).isEqualTo(activeBefore);
        // the pause was lifted: a document published now goes all the way to ACTIVE
        assertThat(post(apiPort, "/v1/documents", Json.writeString(Map.of("schema", "ragline.document.v1",
                "id", "after-restore.txt", "text", "Published once the restore was over.")))).isEqualTo(202);
        awaitWhole("after-restore.txt", replicas);
    }

    /**
     * The DR drill as an operator starts it from the Temporal UI, into the standby compose and
     * {@code up --distributed} run beside the primary (RAGLINE_DR_JDBC_URL): the latest backup is
     * restored into the standby's own database, its search node serves it, the smoke test passes,
     * the standby is torn down; the RPO counts exactly the documents published after the backup, and
     * the primary never notices.
     */
    @Test
    @Order(5)
    void aDrDrillStartedByTypeNameRestoresIntoTheStandbyAndCountsTheDocumentsTheBackupLacks() throws Exception {
        List<Integer> replicas = roles().stream().filter(r -> r.path("role").asText().equals("search"))
                .map(r -> r.path("port").asInt()).toList();
        assertThat(post(apiPort, "/v1/documents", Json.writeString(Map.of("schema", "ragline.document.v1",
                "id", "dr-before.txt", "title", "Saltmarsh inventory", "text", "An inventory of the saltmarsh before the drill.")))).isEqualTo(202);
        awaitWhole("dr-before.txt", replicas);
        long restoredDocuments = documentRows("ragline"); // nothing writes the metadata now: the backup holds these
        JsonNode backup = runBackup();
        int published = 3; // after the backup: what a restore of it lacks
        for (int i = 0; i < published; i++) {
            assertThat(post(apiPort, "/v1/documents", Json.writeString(Map.of("schema", "ragline.document.v1",
                    "id", "dr-after-" + i + ".txt", "text", "Published after the backup, number " + i + ".")))).isEqualTo(202);
        }
        long activeBefore = getJson(apiPort, "/v1/stats").path("documents").path("active").asLong();

        JsonNode result;
        JsonNode status;
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newConnectedServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + temporalPort).build(), Duration.ofSeconds(30));
        try {
            WorkflowStub drill = WorkflowClient.newInstance(stubs).newUntypedWorkflowStub("DisasterRecoveryWorkflow",
                    WorkflowOptions.newBuilder().setTaskQueue("ragline-ops").setWorkflowId("it-dr-" + System.nanoTime()).build());
            // the README's input with this platform's backup target, as typed into the Start Workflow form
            drill.start(Json.mapper().readTree("{\"mode\": \"DRILL\", \"source\": \"" + backupTarget() + "\", \"target\": \"dr\"}"));
            result = drill.getResult(10, TimeUnit.MINUTES, JsonNode.class);
            status = drill.query("status", JsonNode.class);
            System.out.println("dr status: " + status);
        } finally {
            stubs.shutdown();
        }
        assertThat(result.path("backupId").asText()).isEqualTo(backup.path("backupId").asText());
        assertThat(result.path("rpoDocuments").asLong()).as(result.toString()).isEqualTo(published);
        assertThat(result.path("tornDown").asBoolean()).isTrue();
        assertThat(result.path("restored").path("metadata.documents").asLong()).as(result.toString())
                .isEqualTo(restoredDocuments).isPositive();
        assertThat(status.path("steps").toString()).contains("smoke test", "restore " + result.path("backupId").asText()
                + " into dr", "tear down dr");
        assertThat(status.path("figures").path("endpoint").asText()).startsWith("http://127.0.0.1:")
                .doesNotEndWith(":" + apiPort);

        // the drill left nothing behind: the standby's database is empty again
        assertThat(documentRows("ragline_dr")).as("documents left in the standby's database").isZero();
        // and the primary went on: what was published after the backup is ACTIVE there, nothing was lost
        for (int i = 0; i < published; i++) {
            awaitWhole("dr-after-" + i + ".txt", replicas);
        }
        assertThat(getJson(apiPort, "/v1/stats").path("documents").path("active").asLong())
                .isGreaterThanOrEqualTo(activeBefore);
    }

    /** Rows of {@code documents} in a database of the platform's PostgreSQL (compose's user and password). */
    private long documentRows(String database) throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + postgresPort + "/" + database, "ragline", "ragline-dev");
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM documents")) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    /** Waits until the document is ACTIVE and each replica holds every chunk of its active version; returns it. */
    private JsonNode awaitWhole(String id, List<Integer> replicas) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            JsonNode doc = getJson(apiPort, "/v1/documents/" + id);
            assertThat(doc.path("status").asText()).as(doc.toString()).isEqualTo("ACTIVE");
            for (int port : replicas) {
                JsonNode held = getJson(port, "/internal/v1/index/default/" + id + "?version=" + doc.path("activeVersion").asLong());
                assertThat(held.path("indexedChunks").asLong()).as("%s on :%d", id, port)
                        .isEqualTo(doc.path("chunkCount").asLong());
            }
        });
        try {
            return getJson(apiPort, "/v1/documents/" + id);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where the workflows role writes backups (docker-compose.yml's RAGLINE_BACKUP_TARGET). */
    private static String backupTarget() throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("RAGLINE_BACKUP_TARGET:\\s*(\\S+)")
                .matcher(Files.readString(REPO.resolve("docker-compose.yml")));
        assertThat(m.find()).as("docker-compose.yml sets RAGLINE_BACKUP_TARGET").isTrue();
        return m.group(1);
    }

    private JsonNode runBackup() throws Exception {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newConnectedServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + temporalPort).build(), Duration.ofSeconds(30));
        try {
            WorkflowClient temporal = WorkflowClient.newInstance(stubs);
            // by type name and JSON input, as the Temporal UI starts it
            WorkflowStub stub = temporal.newUntypedWorkflowStub("BackupWorkflow", WorkflowOptions.newBuilder()
                    .setTaskQueue("ragline-ops").setWorkflowId("it-backup-" + System.nanoTime()).build());
            stub.start(Map.of());
            return stub.getResult(5, TimeUnit.MINUTES, JsonNode.class);
        } finally {
            stubs.shutdown();
        }
    }

    private List<String> topChunks(int port, String query) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/search"))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.writeString(Map.of("query", query, "topK", 20,
                        "mode", "hybrid", "granularity", "chunk")))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        Json.mapper().readTree(response.body()).path("results").forEach(r -> ids.add(r.path("chunkId").asText()));
        return ids;
    }

    // ---- Prometheus -----------------------------------------------------------------------------

    private ArrayNode query(String promql) throws Exception {
        JsonNode body = prometheus("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(body.path("status").asText()).as("%s: %s", promql, body).isEqualTo("success");
        JsonNode result = body.path("data").path("result");
        if (result.isArray()) {
            return (ArrayNode) result;
        }
        ArrayNode scalar = Json.mapper().createArrayNode();
        scalar.add(body.path("data"));
        return scalar;
    }

    private boolean parses(String promql) throws Exception {
        return prometheus("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
                .path("status").asText().equals("success");
    }

    private JsonNode prometheus(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + prometheusPort + path)).build(), HttpResponse.BodyHandlers.ofString());
        return Json.mapper().readTree(response.body());
    }

    private static String oneLine(String promql) {
        return promql.replaceAll("\\s+", " ");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private List<JsonNode> roles() throws IOException {
        Path file = data.resolve("distributed/roles.json");
        List<JsonNode> roles = new ArrayList<>();
        Json.mapper().readTree(Files.readString(file)).forEach(roles::add);
        return roles;
    }

    private JsonNode role(String name) throws IOException {
        return roles().stream().filter(r -> r.path("name").asText().equals(name)).findFirst().orElseThrow();
    }

    private int status(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private int post(int port, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private int delete(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + apiKey).DELETE().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Document ids of a hybrid search, best first. */
    private List<String> topDocuments(int port, String query) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/search"))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.writeString(Map.of("query", query, "topK", 10,
                        "mode", "hybrid")))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        Json.mapper().readTree(response.body()).path("results").forEach(r -> ids.add(r.path("documentId").asText()));
        return ids;
    }

    private JsonNode getJson(int port, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + apiKey).build(), HttpResponse.BodyHandlers.ofString());
        return Json.mapper().readTree(response.body());
    }

    /** The first of {@code n} consecutive free ports. */
    /** A free port that none of the ports and ranges handed out before in this test includes. */
    private int freePort() throws IOException {
        return freeRange(1);
    }

    /** {@code n} consecutive free ports, none handed out before: nothing binds them until the platform starts. */
    private int freeRange(int n) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int first = FreePorts.next();
            boolean free = !handedOut.contains(first);
            for (int p = first + 1; p < first + n && free; p++) {
                try (ServerSocket probe = new ServerSocket(p)) {
                    free = probe.getLocalPort() == p && !handedOut.contains(p);
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                for (int p = first; p < first + n; p++) {
                    handedOut.add(p);
                }
                return first;
            }
        }
        throw new IOException("no " + n + " consecutive free ports");
    }

    private static boolean onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return true;
            }
        }
        return false;
    }

    /** The command line of the {@code ./ragline} launcher script, on this JVM (as LauncherIT runs it). */
    private static ProcessBuilder ragline(List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true", "--add-modules", "jdk.incubator.vector"));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-cp", TARGET.resolve("ragline-dev-stack.jar") + File.pathSeparator
                + TARGET.resolve("lib") + File.separator + "*", "io.ragline.devstack.cli.RaglineCli"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DJL_OFFLINE", "true");
        return builder;
    }

    private static String tail(Path file, int lines) throws IOException {
        List<String> all = Files.exists(file) ? Files.readAllLines(file) : List.of();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
