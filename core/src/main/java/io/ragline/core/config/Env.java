package io.ragline.core.config;

import java.util.Map;
import java.util.Optional;

/**
 * Every environment variable ragline reads, in one place: the CLI, the embedded platform and the
 * distributed services read these and no others, and the deployment manifests may set only
 * these (a test checks both directions).
 */
public enum Env {
    RAGLINE_DATA_DIR("./data", "Directory holding all local state (embedded platform, index replica, model cache)."),
    RAGLINE_HOST("127.0.0.1", "Interface the HTTP endpoints (and the embedded Kafka broker) listen on."),
    RAGLINE_HTTP_PORT("8080", "Port of the search API, or of a worker's health and metrics endpoint."),
    RAGLINE_KAFKA_BOOTSTRAP("127.0.0.1:9092", "Kafka bootstrap servers."),
    RAGLINE_KAFKA_PORT("9092", "Embedded platform only: port of the in-process Kafka broker."),
    RAGLINE_KAFKA_CONTROLLER_PORT("9093", "Embedded platform only: port of the in-process KRaft controller."),
    RAGLINE_PARTITIONS("3", "Partitions of the topics the platform creates when they are missing."),
    RAGLINE_REPLICATION_FACTOR("1", "Replication factor of created topics and of Kafka Streams' internal topics (3 in production)."),
    RAGLINE_TEMPORAL_TARGET("127.0.0.1:7233", "Temporal frontend address (host:port)."),
    RAGLINE_TEMPORAL_NAMESPACE("default", "Temporal namespace."),
    RAGLINE_TEMPORAL_STICKY("true", "Whether workflow workers use sticky task queues (cached workflows, no replays); false only against the Temporal test server (./ragline up --distributed), which never reroutes a dead worker's sticky tasks."),
    RAGLINE_TEMPORAL_PORT("7233", "Embedded platform only: port of the Temporal test server."),
    RAGLINE_POSTGRES_PORT("15432", "Embedded platform only: port of the embedded PostgreSQL."),
    RAGLINE_JDBC_URL("", "JDBC URL of the metadata database (PostgreSQL)."),
    RAGLINE_JDBC_USER("ragline", "Metadata database user."),
    RAGLINE_JDBC_PASSWORD("", "Metadata database password (from a Secret; never commit it)."),
    RAGLINE_EMBED_THREADS("2", "ONNX Runtime intra-op threads of the embedding model."),
    RAGLINE_EMBED_BATCH("8", "Chunks per embedding transaction at most."),
    RAGLINE_INDEX_TIMEOUT("PT30M", "How long a document version may take to be indexed before it FAILS (ISO-8601)."),
    RAGLINE_VECTOR_FORMAT("int8", "How a search replica stores vectors: int8 (quantised, default) or float; fixed when its index is created."),
    RAGLINE_STORE("lucene", "Where a search replica keeps its chunks: lucene (its own index under the data directory) or milvus (a shared Milvus collection)."),
    RAGLINE_MILVUS_URI("http://127.0.0.1:19530", "With RAGLINE_STORE=milvus: the Milvus server."),
    RAGLINE_MILVUS_TOKEN("", "With RAGLINE_STORE=milvus: user:password or API key (from a Secret; never commit it); empty without authentication."),
    RAGLINE_MILVUS_COLLECTION("ragline_chunks", "With RAGLINE_STORE=milvus: the collection holding the chunks (created when missing)."),
    RAGLINE_RRF_K("60", "Hybrid search: the reciprocal rank fusion constant k."),
    RAGLINE_RRF_KEYWORD_WEIGHT("1.0", "Hybrid search: weight of the BM25 ranking in the fusion."),
    RAGLINE_RRF_VECTOR_WEIGHT("1.0", "Hybrid search: weight of the vector ranking in the fusion."),
    RAGLINE_FAULT_HTTP_ERROR_RATE("0", "Tests and chaos drills only: the fraction (0 to 1) of /v1 requests a search replica answers with 503 on purpose (a canary made bad to see its gate fail); logged loudly at start. Never in production."),
    RAGLINE_FAULT_HTTP_DELAY_MS("0", "Tests and chaos drills only: milliseconds a search replica waits before it handles each /v1 request (a slow canary); logged loudly at start. Never in production."),
    RAGLINE_INSTANCE_ID("", "Unique name of this worker instance (the pod name); defaults to the host name."),
    RAGLINE_LOG_FORMAT("text", "Format of the log lines on stderr: text (human-readable, the default) or json (one JSON object per line, for log aggregators)."),
    RAGLINE_MODEL_DIR("", "Directory with a custom embedding model (model.onnx, tokenizer.json, ragline-model.json); empty: the bundled bge-small-en-v1.5."),
    RAGLINE_BACKUP_TARGET("", "Where BackupWorkflow writes when its input names no target: file:///path or s3://bucket/prefix; empty: file://<data dir>/backups."),
    RAGLINE_S3_ENDPOINT("", "S3 endpoint override for backups, e.g. http://minio:9000; empty: AWS."),
    RAGLINE_S3_REGION("us-east-1", "S3 region of the backup bucket."),
    RAGLINE_S3_PATH_STYLE("false", "true for path-style S3 addressing (MinIO)."),
    RAGLINE_S3_ACCESS_KEY("", "S3 access key for backups; empty: the default AWS credential chain."),
    RAGLINE_S3_SECRET_KEY("", "S3 secret key for backups (from a Secret; never commit it)."),
    RAGLINE_BACKUP_SCHEDULE("", "serve workflows: hourly (ensure the hourly BackupWorkflow at start) or off; empty: hourly when RAGLINE_BACKUP_TARGET is set, else off."),
    RAGLINE_DR_NAMESPACE("", "serve workflows on Kubernetes: namespace of the dr overlay's warm standby, DR target \"dr\" (promote, scale up, FAILOVER switches its Ingress); empty: DR answers NotConfigured."),
    RAGLINE_DR_JDBC_URL("", "serve workflows off Kubernetes: JDBC URL of the DR standby's own metadata database (RAGLINE_JDBC_USER and _PASSWORD); DR target \"dr\" is then a standby search node in this process on the same Kafka logs, DRILL only; empty: no standby."),
    RAGLINE_OPS_ENVIRONMENT("", "serve workflows: name of the DR environment this process belongs to; it then serves only that environment's restores (task queue ragline-ops.<name>) and no other operations."),
    RAGLINE_TENANT("default", "CLI only: tenant of published documents and searches."),
    RAGLINE_API_KEY("", "CLI only: the API key to send (default: the embedded platform's <data dir>/dev-api-key)."),
    RAGLINE_URL("http://127.0.0.1:8080", "CLI only: base URL of the search API.");

    private final String defaultValue;
    private final String description;

    Env(String defaultValue, String description) {
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** The value in {@code env}, or the default; blank counts as unset. */
    public String get(Map<String, String> env) {
        return lookup(env).orElse(defaultValue);
    }

    public Optional<String> lookup(Map<String, String> env) {
        String value = env.get(name());
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    public double getDouble(Map<String, String> env) {
        String value = get(env);
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name() + " must be a number, was '" + value + "'", e);
        }
    }

    public int getInt(Map<String, String> env) {
        String value = get(env);
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name() + " must be an integer, was '" + value + "'", e);
        }
    }
}
