package io.ragline.core.metrics;

/**
 * Every metric ragline registers, by its Micrometer name. Prometheus sees them with dots turned
 * into underscores and a unit suffix (a timer {@code ragline.search} becomes
 * {@code ragline_search_seconds_count}, {@code _sum}, {@code _bucket}; a counter gets
 * {@code _total}). Dashboards and alerts must use only these (a test checks).
 */
public final class MetricNames {
    /** Timer, tags method, route, status: every HTTP request of the search API. */
    public static final String HTTP_REQUESTS = "ragline.http.requests";
    /** Counter, tag op: documents accepted over HTTP ({@code POST|DELETE /v1/documents}) and published. */
    public static final String HTTP_DOCUMENTS = "ragline.http.documents";
    /** Timer, tag mode: search latency including query embedding. */
    public static final String SEARCH = "ragline.search";
    /** Counter: chunks embedded and published. */
    public static final String EMBEDDINGS = "ragline.embeddings";
    /** Timer: time to embed and publish one batch. */
    public static final String EMBEDDING_BATCH_LATENCY = "ragline.embedding.batch.latency";
    /** Distribution summary: chunks per embedding batch. */
    public static final String EMBEDDING_BATCH_SIZE = "ragline.embedding.batch.size";
    /** Counter: chunks the model could not embed after retries (sent to the DLQ). */
    public static final String EMBEDDING_FAILURES = "ragline.embedding.failures";
    /** Counter: chunks longer than the model's maximum, embedded from their beginning only. */
    public static final String EMBEDDING_TRUNCATED = "ragline.embedding.truncated";
    /** Gauge: chunks waiting on ragline.chunks for the embedding worker group (total consumer lag). */
    public static final String EMBEDDING_LAG = "ragline.embedding.lag";
    /** Gauge: the lag divided by the running embedding workers; KEDA's scaling target. */
    public static final String EMBEDDING_LAG_PER_REPLICA = "ragline.embedding.lag.per.replica";
    /** Counter: embedded chunks written to the index. */
    public static final String INDEXER_CHUNKS = "ragline.indexer.chunks";
    /** Counter: document-state snapshots applied to the index. */
    public static final String INDEXER_STATES = "ragline.indexer.states";
    /**
     * Timer: from a version's activation (its document-state snapshot) to the refresh that makes it
     * searchable on this replica. The platform aims for under a second.
     */
    public static final String INDEXER_ACTIVATION_LAG = "ragline.indexer.activation.lag";
    /** Counter, tag topic: records the indexer could not read (not ragline's JSON) and skipped. */
    public static final String INDEXER_SKIPPED = "ragline.indexer.skipped";
    /** Counter: indexer crashes (it is restarted after a pause; readiness is down meanwhile). */
    public static final String INDEXER_FAILURES = "ragline.indexer.failures";
    /** Counter: document versions whose lifecycle FAILED (chunks missing past the index timeout). */
    public static final String DOCUMENTS_FAILED = "ragline.documents.failed";
    /** Counter, tag reason: records refused into the DLQ. */
    public static final String DLQ_RECORDS = "ragline.dlq.records";

    private MetricNames() {
    }
}
