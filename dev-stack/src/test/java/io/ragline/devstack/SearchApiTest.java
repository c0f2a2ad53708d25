package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.core.json.Json;
import io.ragline.core.model.OnnxEmbedder;
import io.ragline.core.store.ApiKey;
import io.ragline.core.store.ApiKeyStore;
import io.ragline.core.store.Database;
import io.ragline.core.store.MetadataStore;
import io.ragline.core.validation.DocumentLimits;
import io.ragline.search.api.SearchApi;
import io.ragline.search.ingest.DocumentPublisher;
import io.ragline.search.index.Fusion;
import io.ragline.search.index.LuceneIndex;
import io.ragline.search.service.SearchService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The REST API's security and error contract, over a real index, model and PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchApiTest {
    @TempDir
    static Path dir;

    private EmbeddedPostgres postgres;
    private HikariDataSource database;
    private OnnxEmbedder embedder;
    private LuceneIndex index;
    private SearchApi api;
    private DocumentPublisher publisher;
    private ApiKeyStore keys;
    private String keyA;
    private String keyB;
    private String admin;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        int port = FreePorts.next();
        postgres = EmbeddedPostgres.start(dir.resolve("pg"), port);
        database = Database.open(postgres.jdbcUrl(), postgres.user(), postgres.password(), 4);
        keys = new ApiKeyStore(database);
        keyA = keys.create("tenant-a", "a", EnumSet.of(ApiKey.Scope.search), 6000).plaintext();
        keyB = keys.create("tenant-b", "b", EnumSet.of(ApiKey.Scope.search), 6000).plaintext();
        admin = keys.create("ops", "admin", EnumSet.allOf(ApiKey.Scope.class), 6000).plaintext();
        embedder = OnnxEmbedder.bundled(dir.resolve("models"), 1);
        index = new LuceneIndex(dir.resolve("index"));
        long revision = 1;
        for (String tenant : List.of("tenant-a", "tenant-b")) {
            for (int i = 0; i < 4; i++) {
                String id = tenant + "-doc-" + i;
                String text = "Lighthouse keepers of " + tenant + " write report " + i + " about ships and storms.";
                // both tenants' documents carry the same tags, source, metadata and times: filters alone cannot separate them
                ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, tenant, id, 1, ChunkEvent.chunkId(tenant, id, 1, 0), 0, 1,
                        "Report " + i, text, "harbour", "en", Map.of("shift", i % 2 == 0 ? "day" : "night"),
                        List.of("reports", i % 2 == 0 ? "even" : "odd"),
                        java.time.Instant.parse("2025-01-0" + (i + 1) + "T00:00:00Z").toEpochMilli());
                index.upsert(EmbeddingEvent.of(chunk, embedder.modelId(), embedder.embedPassages(List.of(chunk.embeddingText())).getFirst(), false));
                index.apply(new DocumentState(DocumentState.SCHEMA, tenant, id, DocumentStatus.ACTIVE, 1, 1, 1, revision++, null, 0));
            }
        }
        index.refresh();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // no broker here: these tests never ingest (HttpIngestTest does, on the whole platform)
        publisher = new DocumentPublisher("127.0.0.1:1", 1024 * 1024);
        api = new SearchApi(new SearchService(index, embedder, Fusion.defaults(), registry), new MetadataStore(database), keys,
                index, () -> 0, () -> true, registry, publisher, DocumentLimits.defaults()).start("127.0.0.1", 0);
    }

    @AfterAll
    void stop() throws IOException {
        api.close();
        publisher.close();
        index.close();
        embedder.close();
        database.close();
        postgres.close();
    }

    @Test
    void aTenantNeverSeesAnotherTenantsDocumentsInAnyMode() throws Exception {
        for (String mode : List.of("hybrid", "keyword", "vector")) {
            JsonNode a = search(keyA, "{\"query\":\"lighthouse report about storms\",\"topK\":100,\"mode\":\"" + mode + "\"}", null).body;
            assertThat(a.path("results").findValuesAsText("tenant")).as(mode).hasSize(4).containsOnly("tenant-a");
            JsonNode b = search(keyB, "{\"query\":\"tenant-a lighthouse\",\"topK\":100,\"mode\":\"" + mode + "\"}", null).body;
            assertThat(b.path("results").findValuesAsText("tenant")).as(mode).containsOnly("tenant-b");
        }
    }

    @Test
    void filtersAndPagesStayInsideTheKeysTenant() throws Exception {
        String filters = "\"filters\":{\"tags\":[\"reports\"],\"source\":[\"harbour\"],\"metadata\":{\"shift\":\"day\"},"
                + "\"timestamp\":{\"gte\":\"2025-01-01T00:00:00Z\",\"lt\":\"2025-02-01T00:00:00Z\"}}";
        for (String mode : List.of("hybrid", "keyword", "vector")) {
            JsonNode a = search(keyA, "{\"query\":\"lighthouse storms\",\"mode\":\"" + mode + "\"," + filters + "}", null).body;
            assertThat(a.path("results").findValuesAsText("documentId")).as(mode)
                    .containsExactlyInAnyOrder("tenant-a-doc-0", "tenant-a-doc-2");
            JsonNode b = search(keyB, "{\"query\":\"tenant-a lighthouse\",\"mode\":\"" + mode + "\"," + filters + "}", null).body;
            assertThat(b.path("results").findValuesAsText("documentId")).as(mode)
                    .containsExactlyInAnyOrder("tenant-b-doc-0", "tenant-b-doc-2");

            List<String> paged = new java.util.ArrayList<>();
            JsonNode page = search(keyA, "{\"query\":\"lighthouse\",\"topK\":1,\"mode\":\"" + mode + "\"}", null).body;
            paged.addAll(page.path("results").findValuesAsText("documentId"));
            while (!page.path("nextOffset").isNull()) {
                int offset = page.path("nextOffset").asInt();
                page = search(keyA, "{\"query\":\"lighthouse\",\"topK\":1,\"offset\":" + offset + ",\"mode\":\"" + mode + "\"}", null).body;
                assertThat(page.path("offset").asInt()).isEqualTo(offset);
                paged.addAll(page.path("results").findValuesAsText("documentId"));
            }
            assertThat(paged).as(mode).hasSize(4).doesNotHaveDuplicates().allMatch(id -> id.startsWith("tenant-a-"));
        }
    }

    @Test
    void resultsCarryHighlightsRanksAndPaging() throws Exception {
        Answer answer = search(keyA, "{\"query\":\"storms\",\"topK\":2,\"mode\":\"hybrid\"}", null);
        assertThat(answer.status).isEqualTo(200);
        JsonNode first = answer.body.path("results").get(0);
        assertThat(first.path("snippet").asText()).contains("<em>storms</em>");
        assertThat(first.path("matchedBy").path("keyword").asInt()).isBetween(1, 4);
        assertThat(first.path("matchedBy").path("vector").asInt()).isBetween(1, 4);
        assertThat(answer.body.path("offset").asInt()).isZero();
        assertThat(answer.body.path("nextOffset").asInt()).isEqualTo(2);
        // where the time went travels in a header, not in the body
        assertThat(answer.serverTiming).matches("embed;dur=\\d+\\.\\d{2}, retrieve;dur=\\d+\\.\\d{2}");
        assertThat(answer.body.has("embedNanos")).isFalse();
        Answer keyword = search(keyA, "{\"query\":\"storms\",\"mode\":\"keyword\"}", null);
        assertThat(keyword.serverTiming).startsWith("embed;dur=0.00,");
        JsonNode last = search(keyA, "{\"query\":\"storms\",\"topK\":2,\"offset\":2,\"granularity\":\"chunk\"}", null).body;
        assertThat(last.path("results")).hasSize(2);
        assertThat(last.has("nextOffset")).isTrue();
        assertThat(last.path("nextOffset").isNull()).isTrue();
    }

    @Test
    void onlyAdminKeysMayActForAnotherTenant() throws Exception {
        Answer foreign = search(keyA, "{\"query\":\"ships\"}", "tenant-b");
        assertProblem(foreign, 403, "foreign-tenant");
        Answer operator = search(admin, "{\"query\":\"ships\"}", "tenant-b");
        assertThat(operator.status).isEqualTo(200);
        assertThat(operator.body.path("results").findValuesAsText("tenant")).containsOnly("tenant-b");
    }

    @Test
    void requestsWithoutAValidKeyOrScopeAreRefused() throws Exception {
        assertProblem(search(null, "{\"query\":\"ships\"}", null), 401, "missing-api-key");
        assertProblem(search("rl_nope_nope", "{\"query\":\"ships\"}", null), 401, "invalid-api-key");
        String ingestOnly = keys.create("tenant-a", "ingest", EnumSet.of(ApiKey.Scope.ingest), 6000).plaintext();
        assertProblem(search(ingestOnly, "{\"query\":\"ships\"}", null), 403, "missing-scope");
        assertProblem(send("POST", "/v1/keys", keyA, "{\"tenant\":\"x\",\"scopes\":[\"search\"]}"), 403, "missing-scope");
    }

    @Test
    void aRevokedKeyStopsWorkingAndANewKeyWorksAtOnce() throws Exception {
        Answer created = send("POST", "/v1/keys", admin, "{\"tenant\":\"tenant-a\",\"name\":\"ci\",\"scopes\":[\"search\"]}");
        assertThat(created.status).isEqualTo(201);
        String key = created.body.path("key").asText();
        assertThat(search(key, "{\"query\":\"ships\"}", null).status).isEqualTo(200);
        assertThat(send("DELETE", "/v1/keys/" + created.body.path("id").asText(), admin, null).status).isEqualTo(204);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertProblem(search(key, "{\"query\":\"ships\"}", null), 401, "revoked-api-key"));
    }

    @Test
    void aKeyOverItsRateGets429WithRetryAfter() throws Exception {
        String slow = keys.create("tenant-a", "slow", EnumSet.of(ApiKey.Scope.search), 2).plaintext();
        assertThat(search(slow, "{\"query\":\"ships\"}", null).status).isEqualTo(200);
        assertThat(search(slow, "{\"query\":\"ships\"}", null).status).isEqualTo(200);
        Answer limited = search(slow, "{\"query\":\"ships\"}", null);
        assertProblem(limited, 429, "rate-limited");
        assertThat(Long.parseLong(limited.retryAfter)).isBetween(1L, 60L);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{not json                                        | malformed-json | JSON",
            "{\"query\":\"x\",\"limit\":3}                    | unknown-field  | limit",
            "{\"query\":\"x\",\"topK\":101}                   | out-of-range   | topK",
            "{\"query\":\"x\",\"topK\":0}                     | out-of-range   | topK",
            "{\"query\":\"x\",\"mode\":\"fuzzy\"}             | unknown-mode   | mode",
            "{\"query\":\"x\",\"topK\":\"ten\"}               | wrong-type     | topK",
            "{\"query\":42}                                   | wrong-type     | query",
            "{\"topK\":3}                                     | missing-field  | query",
            "[1,2]                                            | invalid-body   | object",
            "{\"query\":\"x\",\"filters\":{\"colour\":1}}        | unknown-filter | filters.colour",
            "{\"query\":\"x\",\"filters\":{\"tags\":\"a\"}}       | wrong-type     | filters.tags",
            "{\"query\":\"x\",\"offset\":995}                | out-of-range   | offset",
            "{\"query\":\"x\",\"granularity\":\"page\"}        | unknown-granularity | granularity",
            "{\"query\":\"x\",\"filters\":{\"timestamp\":{\"gte\":\"soon\"}}} | invalid-timestamp | filters.timestamp.gte"})
    void badRequestsGetAProblemNamingTheField(String body, String type, String field) throws Exception {
        Answer answer = search(keyA, body.strip(), null);
        assertProblem(answer, 400, type.strip());
        assertThat(answer.body.path("detail").asText()).contains(field.strip());
    }

    @Test
    void anOverlongQueryIsRefused() throws Exception {
        Answer answer = search(keyA, Json.writeString(Map.of("query", "x".repeat(2001))), null);
        assertProblem(answer, 400, "query-too-long");
    }

    @Test
    void theOpenApiDocumentDescribesExactlyTheRegisteredRoutes() throws Exception {
        HttpResponse<String> response = get("/openapi.json");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode spec = Json.mapper().readTree(response.body());
        assertThat(spec.path("openapi").asText()).matches("3\\.1\\.\\d+");
        Set<String> documented = new TreeSet<>();
        spec.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            if (Set.of("get", "post", "put", "patch", "delete", "head", "options").contains(operation.getKey())) {
                documented.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        assertThat(api.routes()).contains("POST /v1/documents", "DELETE /v1/documents/{id}", "GET /docs");
        assertThat(documented).containsExactlyInAnyOrderElementsOf(new TreeSet<>(api.routes()));
        // every operation of an authenticated route names its problem types, the internal one is marked
        assertThat(spec.at("/paths/~1v1~1documents/post/responses/400/description").asText()).contains("problems/invalid-id");
        assertThat(spec.at("/paths/~1internal~1v1~1index~1{tenant}~1{id}/get/x-internal").asBoolean()).isTrue();
        assertThat(spec.at("/components/securitySchemes").properties()).extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrder("bearer", "apiKey");
    }

    @Test
    void theDocsPageLoadsSwaggerUiFromThisServer() throws Exception {
        HttpResponse<String> page = get("/docs");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("/openapi.json").doesNotContain("https://", "http://");
        java.util.regex.Matcher assets = java.util.regex.Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
        int loaded = 0;
        while (assets.find()) {
            HttpResponse<String> asset = get(assets.group(1));
            assertThat(asset.statusCode()).as(assets.group(1)).isEqualTo(200);
            assertThat(asset.body()).as(assets.group(1)).hasSizeGreaterThan(10_000);
            loaded++;
        }
        assertThat(loaded).isEqualTo(2); // swagger-ui.css and swagger-ui-bundle.js
    }

    @Test
    void eachRouteHasItsOwnBodyLimit() throws Exception {
        Answer search = search(keyA, Json.writeString(Map.of("query", "x", "pad", "y".repeat(70_000))), null);
        assertProblem(search, 413, "body-too-large");
        assertThat(search.body.path("detail").asText()).contains("65536");
        String ingest = keys.create("tenant-a", "ingest-limit", EnumSet.of(ApiKey.Scope.ingest), 6000).plaintext();
        Answer document = send("POST", "/v1/documents", ingest, Json.writeString(Map.of("schema", "ragline.document.v1",
                "id", "big.txt", "text", "y".repeat(16 * 1024 * 1024))));
        assertProblem(document, 413, "body-too-large");
        assertThat(document.body.path("detail").asText()).contains(Long.toString(SearchApi.maxIngestBodyBytes(DocumentLimits.defaults())));
    }

    @Test
    void ingestNeedsTheIngestScope() throws Exception {
        assertProblem(send("POST", "/v1/documents", keyA, "{\"schema\":\"ragline.document.v1\",\"id\":\"a\",\"text\":\"t\"}"),
                403, "missing-scope");
        assertProblem(send("DELETE", "/v1/documents/a", keyA, null), 403, "missing-scope");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyAnswerCarriesARequestIdTheClientsOwnWhenItSendsAUsableOne() throws Exception {
        // the client's id comes back on a success and on a rejected key alike (and is on the request's log lines)
        assertThat(requestId(keyA, "client-req-42")).isEqualTo("client-req-42");
        assertThat(requestId(null, "client-req-43")).isEqualTo("client-req-43");
        // none, or one that does not belong in a log line: the API makes a UUID, a new one each time
        String made = requestId(keyA, null);
        assertThat(UUID.fromString(made)).isNotNull();
        assertThat(requestId(keyA, null)).isNotEqualTo(made);
        for (String unusable : List.of("two words", "x".repeat(129))) {
            assertThat(UUID.fromString(requestId(keyA, unusable))).as(unusable).isNotNull();
        }
    }

    private String requestId(String key, String sent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/search"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"ships\"}"));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (sent != null) {
            b.header(SearchApi.REQUEST_ID_HEADER, sent);
        }
        HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(key == null ? 401 : 200);
        return response.headers().firstValue(SearchApi.REQUEST_ID_HEADER).orElseThrow();
    }

    private record Answer(int status, String contentType, String retryAfter, String serverTiming, JsonNode body) {
    }

    private Answer search(String key, String body, String tenant) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/search"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (tenant != null) {
            b.header(SearchApi.TENANT_HEADER, tenant);
        }
        return answer(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private Answer send(String method, String path, String key, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .header("X-Api-Key", key).header("Content-Type", "application/json")
                // a large body waits for the server's go-ahead, so a refusal (413) arrives instead of a reset
                // connection: the server answers from Content-Length without reading the body
                .expectContinue(body != null && body.length() > 1024 * 1024)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
        return answer(http.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    private static Answer answer(HttpResponse<String> r) throws IOException {
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
                r.headers().firstValue("Retry-After").orElse(null), r.headers().firstValue("Server-Timing").orElse(null),
                r.body().isBlank() ? Json.mapper().createObjectNode() : Json.mapper().readTree(r.body()));
    }

    private static void assertProblem(Answer answer, int status, String type) {
        assertThat(answer.status).as(answer.body.toString()).isEqualTo(status);
        assertThat(answer.contentType).startsWith("application/problem+json");
        assertThat(answer.body.path("type").asText()).isEqualTo("https://ragline.io/problems/" + type);
        assertThat(answer.body.path("status").asInt()).isEqualTo(status);
        assertThat(answer.body.path("detail").asText()).isNotBlank();
    }
}
