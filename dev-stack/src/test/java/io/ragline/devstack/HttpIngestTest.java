package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.Topics;
import io.ragline.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** POST and DELETE /v1/documents on the whole embedded platform: HTTP in, Kafka, index, search out. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpIngestTest {
    private static final Duration SETTLE = Duration.ofMinutes(3);
    private static final String PHRASE = "periwinkle heliograph semaphores";

    @TempDir
    static Path tempDir;

    private EmbeddedPlatform platform;
    private Admin admin;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws IOException {
        platform = EmbeddedPlatform.start(PlatformSettings.defaults(tempDir.resolve("data")).withFreePorts(), System.out);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()));
    }

    @AfterAll
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    @Order(1)
    void aPostedDocumentIsAcceptedAndBecomesSearchable() throws Exception {
        Answer posted = send("POST", "/v1/documents", platform.devApiKey(), Json.writeString(Map.of(
                "schema", "ragline.document.v1", "id", "signals guide.txt", "title", "Signals",
                "text", "Lighthouse crews once answered ships with " + PHRASE + " across the bay.",
                "metadata", Map.of("team", "ops"))));
        assertThat(posted.status).as(posted.body.toString()).isEqualTo(202);
        assertThat(posted.body.path("key").asText()).isEqualTo("default/signals guide.txt");
        assertThat(posted.body.path("tenant").asText()).isEqualTo("default");
        assertThat(posted.location).isEqualTo("/v1/documents/signals%20guide.txt");
        assertThat(posted.body.path("status").asText()).isEqualTo(posted.location);

        await().atMost(SETTLE).untilAsserted(() -> {
            assertThat(send("GET", posted.location, platform.devApiKey(), null).body.path("status").asText()).isEqualTo("ACTIVE");
            assertThat(searchIds()).containsExactly("signals guide.txt");
        });
    }

    @Test
    @Order(2)
    void anInvalidDocumentGetsTheValidatorsReasonAndNothingIsPublished() throws Exception {
        long before = documentsEndOffset();
        Answer badId = send("POST", "/v1/documents", platform.devApiKey(),
                "{\"schema\":\"ragline.document.v1\",\"id\":\"a/b\",\"text\":\"x\"}");
        assertProblem(badId, 400, "invalid-id");
        assertThat(badId.body.path("reason").asText()).isEqualTo("INVALID_ID");
        assertThat(badId.body.path("detail").asText()).contains("'id'");

        Answer nested = send("POST", "/v1/documents", platform.devApiKey(),
                "{\"schema\":\"ragline.document.v1\",\"id\":\"m.txt\",\"text\":\"x\",\"metadata\":{\"team\":{\"name\":\"ops\"}}}");
        assertProblem(nested, 400, "metadata-invalid");
        assertThat(nested.body.path("reason").asText()).isEqualTo("METADATA_INVALID");
        assertThat(nested.body.path("detail").asText()).contains("metadata.team");

        Answer notJson = send("POST", "/v1/documents", platform.devApiKey(), "{nope");
        assertProblem(notJson, 400, "invalid-json");

        Answer foreign = send("POST", "/v1/documents", platform.devApiKey(),
                "{\"schema\":\"ragline.document.v1\",\"id\":\"f.txt\",\"tenant\":\"acme\",\"text\":\"x\"}");
        assertProblem(foreign, 403, "foreign-tenant");
        assertThat(foreign.body.path("detail").asText()).contains("'tenant'", "acme");

        assertThat(documentsEndOffset()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void aKeyWithoutTheIngestScopeIsRefused() throws Exception {
        Answer created = send("POST", "/v1/keys", platform.devApiKey(),
                "{\"tenant\":\"default\",\"name\":\"reader\",\"scopes\":[\"search\"]}");
        assertThat(created.status).isEqualTo(201);
        String reader = created.body.path("key").asText();
        long before = documentsEndOffset();
        assertProblem(send("POST", "/v1/documents", reader,
                "{\"schema\":\"ragline.document.v1\",\"id\":\"r.txt\",\"text\":\"x\"}"), 403, "missing-scope");
        assertProblem(send("DELETE", "/v1/documents/signals%20guide.txt", reader, null), 403, "missing-scope");
        assertThat(documentsEndOffset()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void aDeletedDocumentDisappearsFromSearch() throws Exception {
        Answer deleted = send("DELETE", "/v1/documents/signals%20guide.txt", platform.devApiKey(), null);
        assertThat(deleted.status).as(deleted.body.toString()).isEqualTo(202);
        assertThat(deleted.body.path("op").asText()).isEqualTo("DELETE");
        assertThat(deleted.body.path("key").asText()).isEqualTo("default/signals guide.txt");
        await().atMost(SETTLE).untilAsserted(() -> {
            assertThat(searchIds()).isEmpty();
            assertThat(send("GET", deleted.location, platform.devApiKey(), null).body.path("status").asText()).isEqualTo("DELETED");
        });
    }

    private java.util.List<String> searchIds() throws Exception {
        Answer answer = send("POST", "/v1/search", platform.devApiKey(),
                Json.writeString(Map.of("query", PHRASE, "topK", 5, "mode", "keyword")));
        assertThat(answer.status).isEqualTo(200);
        return answer.body.path("results").findValuesAsText("documentId");
    }

    private long documentsEndOffset() throws Exception {
        int partitions = admin.describeTopics(java.util.List.of(Topics.DOCUMENTS)).allTopicNames().get()
                .get(Topics.DOCUMENTS).partitions().size();
        Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(Topics.DOCUMENTS, p), OffsetSpec.latest());
        }
        return admin.listOffsets(request).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    }

    private record Answer(int status, String contentType, String location, JsonNode body) {
    }

    private Answer send(String method, String path, String key, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + platform.httpPort() + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
                r.headers().firstValue("Location").orElse(null),
                r.body().isBlank() ? Json.mapper().createObjectNode() : Json.mapper().readTree(r.body()));
    }

    private static void assertProblem(Answer answer, int status, String type) {
        assertThat(answer.status).as(answer.body.toString()).isEqualTo(status);
        assertThat(answer.contentType).startsWith("application/problem+json");
        assertThat(answer.body.path("type").asText()).isEqualTo("https://ragline.io/problems/" + type);
    }

}
