package io.ragline.search.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ragline.core.json.Json;
import io.ragline.core.metrics.MetricNames;
import io.ragline.core.runtime.Health;
import io.ragline.core.store.ApiKey;
import io.ragline.core.store.ApiKeyStore;
import io.ragline.core.store.DocumentRecord;
import io.ragline.core.store.DocumentStats;
import io.ragline.core.store.IndexProbe;
import io.ragline.core.store.MetadataStore;
import io.ragline.core.generation.GenerationProbe;
import io.ragline.core.validation.DocumentLimits;
import io.ragline.search.ingest.DocumentPublisher;
import io.ragline.search.service.SearchResponse;
import io.ragline.search.service.SearchService;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The REST API: search, document ingest and status, stats, keys, health, metrics and its own OpenAPI docs. */
public final class SearchApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SearchApi.class);
    /** Admin keys may act for another tenant by naming it here; other keys always act for their own. */
    public static final String TENANT_HEADER = "X-Ragline-Tenant";
    /**
     * A request's id: the client's own if it sends a usable one, else a new UUID; returned in the
     * response and, as MDC {@value #REQUEST_ID_MDC}, on every log line the request causes.
     */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    public static final String REQUEST_ID_MDC = "requestId";
    /** What a client's id may look like (no spaces or control characters: it goes into log lines). */
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:/+=@-]{1,128}");
    private static final String KEY_ATTRIBUTE = "ragline.apiKey";
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    /** Search and key requests are small; only document ingest takes large bodies (see {@link DocumentRoutes}). */
    private static final long MAX_BODY_BYTES = 64 * 1024;

    private final SearchService search;
    private final MetadataStore metadata;
    private final IndexProbe index;
    private final LongSupplier dlqRecords;
    private final Supplier<Health> ready;
    private final PrometheusMeterRegistry registry;
    private final ApiKeyStore keys;
    private final Authenticator authenticator;
    private final RateLimiter rateLimiter = new RateLimiter();
    private final DocumentRoutes documents;
    private final ApiDocs docs = new ApiDocs();
    private final Javalin app;

    /**
     * @param publisher where {@code POST/DELETE /v1/documents} publish
     * @param limits    the document contract's limits, which HTTP ingest checks as the topology does
     */
    public SearchApi(SearchService search, MetadataStore metadata, ApiKeyStore keys, IndexProbe index,
                     LongSupplier dlqRecords, BooleanSupplier ready, PrometheusMeterRegistry registry,
                     DocumentPublisher publisher, DocumentLimits limits) {
        this(search, metadata, keys, index, dlqRecords,
                () -> ready.getAsBoolean() ? Health.READY : Health.notReady("the readiness condition is false"),
                registry, publisher, limits, null);
    }

    /**
     * @param ready       what {@code /health/ready} answers: 200, or 503 with the reason
     * @param generations the replica's index generations, for a re-index (null: not reported)
     */
    public SearchApi(SearchService search, MetadataStore metadata, ApiKeyStore keys, IndexProbe index,
                     LongSupplier dlqRecords, Supplier<Health> ready, PrometheusMeterRegistry registry,
                     DocumentPublisher publisher, DocumentLimits limits, GenerationProbe generations) {
        this(search, metadata, keys, index, dlqRecords, ready, registry, publisher, limits, generations, HttpFaults.NONE);
    }

    /** @param faults what the replica does wrong on purpose (tests and chaos drills; {@link HttpFaults#NONE} else) */
    public SearchApi(SearchService search, MetadataStore metadata, ApiKeyStore keys, IndexProbe index,
                     LongSupplier dlqRecords, Supplier<Health> ready, PrometheusMeterRegistry registry,
                     DocumentPublisher publisher, DocumentLimits limits, GenerationProbe generations,
                     HttpFaults faults) {
        this.documents = new DocumentRoutes(limits, publisher, registry);
        this.keys = keys;
        this.authenticator = new Authenticator(keys);
        this.search = search;
        this.metadata = metadata;
        this.index = index;
        this.dlqRecords = dlqRecords;
        this.ready = ready;
        this.registry = registry;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            // one server-wide cap (the largest route's); each route reads its body under its own limit
            config.http.maxRequestSize = documents.maxBodyBytes();
            config.staticFiles.enableWebjars(); // Swagger UI's assets for /docs, from the classpath
            // first: every answer, a rejected key's too, carries the request id
            config.routes.before(SearchApi::requestId);
            // the clock starts before the key check and injected faults, so that their answers count too
            config.routes.before(ctx -> ctx.attribute("ragline.start", System.nanoTime()));
            // a replica broken on purpose fails before it even checks the key, as a broken one would
            config.routes.before("/v1/*", ctx -> faults.beforeRequest());
            config.routes.before("/v1/*", this::authenticate);
            config.routes.post("/v1/search", this::search);
            config.routes.post("/v1/documents", documents::upsert);
            config.routes.get("/v1/documents/{id}", this::document);
            config.routes.delete("/v1/documents/{id}", documents::delete);
            config.routes.get("/v1/stats", this::stats);
            config.routes.post("/v1/keys", this::createKey);
            config.routes.get("/v1/keys", this::listKeys);
            config.routes.delete("/v1/keys/{id}", this::revokeKey);
            config.routes.get("/internal/v1/index/{tenant}/{id}", this::indexState);
            // a replica on a shared store (Milvus) has no generations of its own: 404 says so
            config.routes.get("/internal/v1/generations", ctx -> {
                if (generations == null) {
                    throw new ProblemException(404, "no-generations", "No index generations",
                            "this replica serves from a shared store, which a re-index does not rebuild");
                }
                ctx.contentType("application/json").result(Json.write(generations.generations()));
            });
            config.routes.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
            config.routes.get("/health/ready", this::readiness);
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(registry.scrape()));
            config.routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(docs.openApi()));
            config.routes.get("/docs", ctx -> ctx.html(docs.page()));
            config.routes.after(this::recordRequest);
            config.routes.after(ctx -> MDC.remove(REQUEST_ID_MDC));
            config.routes.exception(ProblemException.class, (e, ctx) ->
                    problem(ctx, e.status(), e.type(), e.title(), e.getMessage(), e.extensions()));
            config.routes.exception(RateLimiter.RateLimited.class, (e, ctx) -> {
                ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
                problem(ctx, 429, "rate-limited", "Too many requests", e.getMessage());
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("request {} {} failed", ctx.method(), ctx.path(), e);
                problem(ctx, 500, "internal-error", "Internal server error", "the server failed to answer; see its log");
            });
            config.routes.error(404, ctx -> {
                if (!Problem.CONTENT_TYPE.equals(ctx.res().getContentType())) {
                    problem(ctx, 404, "not-found", "Not found", "no route for " + ctx.method() + " " + ctx.path());
                }
            });
            config.routes.error(405, ctx -> problem(ctx, 405, "method-not-allowed", "Method not allowed",
                    ctx.method() + " is not allowed on " + ctx.path()));
            config.routes.error(413, ctx -> {
                // a route's own limit has already answered (RequestBodies); this is Javalin's server-wide cap
                if (!Problem.CONTENT_TYPE.equals(ctx.res().getContentType())) {
                    problem(ctx, 413, "body-too-large", "Request body too large",
                            "the body exceeds the server's limit of " + documents.maxBodyBytes() + " bytes");
                }
            });
        });
    }

    /** The largest {@code POST /v1/documents} body: a document of the limit as base64 and its other fields. */
    public static long maxIngestBodyBytes(DocumentLimits limits) {
        return DocumentRoutes.maxBodyBytes(limits);
    }

    public SearchApi start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    private static void requestId(Context ctx) {
        String id = ctx.header(REQUEST_ID_HEADER);
        if (id == null || !REQUEST_ID.matcher(id).matches()) {
            id = UUID.randomUUID().toString();
        }
        ctx.header(REQUEST_ID_HEADER, id);
        MDC.put(REQUEST_ID_MDC, id);
    }

    private void authenticate(Context ctx) {
        ApiKey key = authenticator.authenticate(ctx.header("Authorization"), ctx.header("X-Api-Key"));
        rateLimiter.acquire(key);
        ctx.attribute(KEY_ATTRIBUTE, key);
    }

    private static ApiKey key(Context ctx, ApiKey.Scope scope) {
        ApiKey key = ctx.attribute(KEY_ATTRIBUTE);
        Authenticator.require(key, scope);
        return key;
    }

    private void search(Context ctx) throws Exception {
        String tenant = tenant(ctx, ApiKey.Scope.search);
        JsonNode body;
        try {
            body = Json.mapper().readTree(RequestBodies.read(ctx, MAX_BODY_BYTES));
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("malformed-json", "Malformed JSON",
                    "the body is not valid JSON: " + e.getOriginalMessage());
        }
        SearchRequest request = SearchRequest.from(body);
        SearchResponse response = search.search(tenant, request);
        // where the time went, for clients and benchmarks: query embedding and store retrieval
        ctx.header("Server-Timing", response.serverTiming());
        ctx.contentType("application/json").result(Json.write(response));
    }

    private void document(Context ctx) {
        String tenant = tenant(ctx, ApiKey.Scope.search);
        String id = ctx.pathParam("id");
        DocumentRecord record = metadata.find(tenant, id).orElseThrow(() -> new ProblemException(404,
                "document-not-found", "Document not found", "no document '" + id + "' in tenant '" + tenant + "'"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", record.id());
        body.put("tenant", record.tenant());
        body.put("status", record.status());
        body.put("version", record.version());
        body.put("activeVersion", record.activeVersion());
        body.put("chunkCount", record.activeChunkCount());
        body.put("title", record.title());
        body.put("source", record.source());
        body.put("contentHash", record.contentHash());
        body.put("metadata", record.metadata());
        body.put("reason", record.reason());
        body.put("updatedAt", record.updatedAt().toString());
        ctx.contentType("application/json").result(Json.write(body));
    }

    private void stats(Context ctx) {
        DocumentStats stats = metadata.stats(tenant(ctx, ApiKey.Scope.search));
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, Object> documents = new LinkedHashMap<>();
        documents.put("active", stats.active());
        documents.put("pending", stats.pending());
        documents.put("failed", stats.failed());
        documents.put("deleted", stats.deleted());
        body.put("documents", documents);
        body.put("chunks", stats.chunks());
        body.put("dlq", dlqRecords.getAsLong());
        ctx.contentType("application/json").result(Json.write(body));
    }

    /** What the document lifecycle asks a replica (see {@code HttpIndexProbe}); not for applications. */
    private void indexState(Context ctx) {
        String tenant = ctx.pathParam("tenant");
        String id = ctx.pathParam("id");
        long version;
        try {
            version = Long.parseLong(ctx.queryParam("version") == null ? "0" : ctx.queryParam("version"));
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("wrong-type", "Wrong type", "'version' must be an integer");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenant", tenant);
        body.put("documentId", id);
        body.put("version", version);
        body.put("indexedChunks", index.indexedChunks(tenant, id, version));
        body.put("appliedRevision", index.appliedRevision(tenant, id));
        ctx.contentType("application/json").result(Json.write(body));
    }

    private void readiness(Context ctx) {
        Health health = ready.get();
        ctx.status(health.ready() ? 200 : 503).json(health.body());
    }

    /** The key's tenant; an admin key may name another with {@value #TENANT_HEADER}. */
    static String tenant(Context ctx, ApiKey.Scope scope) {
        ApiKey key = key(ctx, scope);
        String named = ctx.header(TENANT_HEADER);
        if (named == null || named.isBlank() || named.equals(key.tenant())) {
            return key.tenant();
        }
        if (!key.allows(ApiKey.Scope.admin)) {
            throw new ProblemException(403, "foreign-tenant", "Tenant not allowed",
                    "the API key " + key.id() + " belongs to tenant '" + key.tenant() + "' and cannot act for '" + named + "'");
        }
        if (!TENANT.matcher(named).matches()) {
            throw ProblemException.badRequest("invalid-tenant", "Invalid tenant",
                    "header " + TENANT_HEADER + " must match " + TENANT.pattern());
        }
        return named;
    }

    private void createKey(Context ctx) throws Exception {
        key(ctx, ApiKey.Scope.admin);
        JsonNode body;
        try {
            body = Json.mapper().readTree(RequestBodies.read(ctx, MAX_BODY_BYTES));
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("malformed-json", "Malformed JSON", "the body is not valid JSON: " + e.getOriginalMessage());
        }
        KeyRequest request = KeyRequest.from(body, TENANT);
        ApiKeyStore.Created created = keys.create(request.tenant(), request.name(), request.scopes(), request.ratePerMinute());
        Map<String, Object> out = new LinkedHashMap<>(describe(created.key()));
        out.put("key", created.plaintext());
        ctx.status(201).contentType("application/json").result(Json.write(out));
    }

    private void listKeys(Context ctx) {
        key(ctx, ApiKey.Scope.admin);
        String tenant = ctx.queryParam("tenant");
        ctx.contentType("application/json").result(Json.write(Map.of("keys",
                keys.list(tenant).stream().map(SearchApi::describe).toList())));
    }

    private void revokeKey(Context ctx) {
        key(ctx, ApiKey.Scope.admin);
        String id = ctx.pathParam("id");
        if (keys.find(id).isEmpty()) {
            throw new ProblemException(404, "key-not-found", "API key not found", "no API key with id '" + id + "'");
        }
        keys.revoke(id);
        ctx.status(204);
    }

    private static Map<String, Object> describe(ApiKey key) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", key.id());
        out.put("tenant", key.tenant());
        out.put("name", key.name());
        out.put("scopes", key.scopes().stream().map(Enum::name).sorted().toList());
        out.put("ratePerMinute", key.ratePerMinute());
        out.put("createdAt", key.createdAt().toString());
        out.put("revokedAt", key.revokedAt() == null ? null : key.revokedAt().toString());
        return out;
    }

    private void recordRequest(Context ctx) {
        Long start = ctx.attribute("ragline.start");
        if (start == null) {
            return;
        }
        // the route template, not the raw path, keeps the metric's label set bounded
        io.javalin.router.Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        String route = matched != null ? matched.path : requestedRoute(ctx);
        Timer.builder(MetricNames.HTTP_REQUESTS)
                .tag("method", ctx.method().name())
                .tag("route", route)
                .tag("status", Integer.toString(ctx.statusCode()))
                .description("Every HTTP request of the search API")
                // buckets: the API latency alert, the dashboard's heatmap and percentiles and the deploy
                // gates read ragline_http_requests_seconds_bucket; the SLOs are their thresholds, the
                // bounds keep the bucket count (times method, route and status) small
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .serviceLevelObjectives(Duration.ofMillis(500), Duration.ofSeconds(2))
                .register(registry)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    /**
     * The route of a request that a before handler answered (a refused key, an injected fault), so
     * that it counts under the route it asked for; "unmatched" for a path no route has.
     */
    private String requestedRoute(Context ctx) {
        io.javalin.router.ParsedEndpoint parsed = app.unsafe.internalRouter.findFirstHttpHandlerEntry(ctx.method(), ctx.path());
        return parsed == null ? "unmatched" : parsed.endpoint.path;
    }

    private static void problem(Context ctx, int status, String type, String title, String detail) {
        problem(ctx, status, type, title, detail, Map.of());
    }

    private static void problem(Context ctx, int status, String type, String title, String detail,
                                Map<String, Object> extensions) {
        Problem problem = new Problem(Problem.TYPE_BASE + type, title, status, detail, ctx.path());
        Object body = problem;
        if (!extensions.isEmpty()) {
            Map<String, Object> members = new LinkedHashMap<>(Json.mapper().convertValue(problem,
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { }));
            members.putAll(extensions);
            body = members;
        }
        ctx.status(status).contentType(Problem.CONTENT_TYPE).result(Json.write(body));
    }

    /** Every HTTP route the server registered, as {@code "METHOD /path"} (the OpenAPI document must match). */
    public java.util.List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .filter(endpoint -> endpoint.method.isHttpMethod())
                .map(endpoint -> endpoint.method.name() + " " + endpoint.path)
                .toList();
    }

    @Override
    public void close() {
        app.stop();
    }
}
