package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.event.DocumentV1;
import io.ragline.core.json.Json;
import io.ragline.core.runtime.Resources;
import io.ragline.devstack.serve.ServiceRoles;
import io.ragline.devstack.serve.ServiceRoles.Role;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distributed services ({@code ragline serve <role>}) against external Kafka, Temporal and
 * PostgreSQL, each configured only through its environment: the same pipeline as the embedded
 * platform, split the way docker-compose.yml and k8s/ split it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistributedServicesTest {
    @TempDir
    static Path dir;

    private final Resources infra = new Resources();
    private final Resources services = new Resources();
    private final HttpClient http = HttpClient.newHttpClient();
    private int searchPort;
    private int embedderPort;
    private String bootstrap;

    @BeforeAll
    void startServices() throws IOException {
        EmbeddedKafka kafka = infra.add(EmbeddedKafka.start(dir.resolve("kafka"), freePort(), freePort()));
        EmbeddedTemporal temporal = infra.add(EmbeddedTemporal.start(freePort()));
        EmbeddedPostgres postgres = infra.add(EmbeddedPostgres.start(dir.resolve("pg"), freePort()));
        bootstrap = kafka.bootstrapServers();
        searchPort = freePort();
        embedderPort = freePort();

        Map<String, String> common = new HashMap<>();
        common.put("RAGLINE_KAFKA_BOOTSTRAP", bootstrap);
        common.put("RAGLINE_JDBC_URL", postgres.jdbcUrl());
        common.put("RAGLINE_JDBC_USER", postgres.user());
        common.put("RAGLINE_JDBC_PASSWORD", postgres.password());
        common.put("RAGLINE_TEMPORAL_TARGET", temporal.target());
        common.put("RAGLINE_URL", "http://127.0.0.1:" + searchPort);
        common.put("RAGLINE_DATA_DIR", dir.resolve("shared-models").toString());

        // search first: the lifecycle workers probe it; ingest creates the topics the others read
        start(Role.ingest, common, freePort(), "ingest");
        start(Role.search, common, searchPort, "search");
        start(Role.embedder, common, embedderPort, "embedder");
        start(Role.workflows, common, freePort(), "workflows");
        // the first key of a distributed deployment is created in the database (ragline keys create --jdbc-url)
        var database = infra.add(io.ragline.core.store.Database.open(postgres.jdbcUrl(), postgres.user(), postgres.password(), 2));
        apiKey = new io.ragline.core.store.ApiKeyStore(database).create("default", "test",
                java.util.EnumSet.of(io.ragline.core.store.ApiKey.Scope.search), 6000).plaintext();
    }

    private String apiKey;

    private void start(Role role, Map<String, String> common, int port, String dataDir) {
        Map<String, String> env = new HashMap<>(common);
        env.put("RAGLINE_HTTP_PORT", Integer.toString(port));
        if (role == Role.ingest || role == Role.search) {
            env.put("RAGLINE_DATA_DIR", dir.resolve(dataDir).toString());
        }
        env.put("RAGLINE_INSTANCE_ID", "test-" + role);
        ServiceRoles.start(role, env, services);
    }

    @AfterAll
    void stop() {
        services.close();
        infra.close();
    }

    @Test
    void documentsFlowThroughTheSeparateServicesAndWorkersExposeTheirBacklog() throws Exception {
        try (PlatformClient client = new PlatformClient(bootstrap, searchPort, apiKey)) {
            client.publish(DocumentV1.upsert("default", "lighthouse.md", "Lighthouses",
                    "A lighthouse keeper logs every ship that passes the granite cape.", "text/markdown", "t", Map.of()));
            client.publish(DocumentV1.upsert("default", "orchard.md", "Orchards",
                    "Pear trees in the orchard bloom in early spring.", "text/markdown", "t", Map.of()));

            await().atMost(Duration.ofMinutes(2)).untilAsserted(() ->
                    assertThat(client.get("/v1/stats").path("documents").path("active").asLong()).isEqualTo(2));
            JsonNode top = client.search("who records passing ships", 1, "hybrid").body().path("results").get(0);
            assertThat(top.path("documentId").asText()).isEqualTo("lighthouse.md");
        }
        // idle, the group's backlog drains to zero (so KEDA may scale the workers in)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode keda = get(embedderPort, "/keda/metrics");
            assertThat(keda.path("group").asText()).isEqualTo("ragline-embedding-workers");
            assertThat(keda.path("replicas").asInt()).isEqualTo(1);
            assertThat(keda.path("totalLag").asLong()).isZero();
        });
        // ready: the embedder's worker consumes, the search replica's indexer has caught up
        assertThat(get(embedderPort, "/health/ready").path("status").asText()).isEqualTo("UP");
        assertThat(get(searchPort, "/health/ready").path("status").asText()).isEqualTo("UP");
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + embedderPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("ragline_embeddings_total", "ragline_embedding_lag ");
    }

    private JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return Json.mapper().readTree(response.body());
    }

    private static int freePort() throws IOException {
        return FreePorts.next();
    }
}
