package io.ragline.core;

import java.util.Map;

/** Topic names and their settings: part of the public contract (see README, "Contracts"). */
public final class Topics {
    /** Producers publish {@code ragline.document.v1} here; key {@code <tenant>/<id>}. Compacted. */
    public static final String DOCUMENTS = "ragline.documents";
    /** Records the ingest topology refused, with a machine-readable reason. */
    public static final String DOCUMENTS_DLQ = "ragline.documents.dlq";
    /** Chunks to embed; key {@code <tenant>/<id>} so a document's chunks stay in order on one partition. */
    public static final String CHUNKS = "ragline.chunks";
    /** Embedded chunks; key is the chunk id. Compacted: the log is the index's source of truth. */
    public static final String EMBEDDINGS = "ragline.embeddings";
    /** Each document's latest lifecycle state; key {@code <tenant>/<id>}. Compacted. */
    public static final String DOCUMENT_STATE = "ragline.document-state";
    /**
     * Internal: the ingest topology's version decisions (new version, delete) that start a
     * document's lifecycle workflow. Not for producers.
     */
    public static final String LIFECYCLE = "ragline.lifecycle";
    /**
     * Internal: which index generation search serves and which one a re-index is building
     * ({@code ragline.index-generations.v1}, one key). Compacted.
     */
    public static final String INDEX_GENERATIONS = "ragline.index-generations";

    public static final String COMPACT = "compact";
    public static final String DELETE = "delete";

    /**
     * The largest record on {@code ragline.documents}: a document at the default 10 MB text limit as
     * JSON, or a 10 MB binary one base64-encoded, with its metadata. Kafka's default is about 1 MB, so
     * the topic, and every producer that writes to it, must allow this much.
     */
    public static final int MAX_DOCUMENT_RECORD_BYTES = 16 * 1024 * 1024;
    /** A DLQ record keeps the refused value as JSON text (escaping can double it) or base64 (a third more). */
    public static final int MAX_DLQ_RECORD_BYTES = 2 * MAX_DOCUMENT_RECORD_BYTES + 64 * 1024;

    private Topics() {
    }

    /** Every topic the platform needs, with its cleanup policy. */
    public static Map<String, String> all() {
        return Map.of(
                DOCUMENTS, COMPACT,
                DOCUMENTS_DLQ, DELETE,
                CHUNKS, DELETE,
                EMBEDDINGS, COMPACT,
                DOCUMENT_STATE, COMPACT,
                LIFECYCLE, DELETE,
                INDEX_GENERATIONS, COMPACT);
    }

    /** Topic-level configuration of a platform topic: its cleanup policy and, where needed, its record size. */
    public static Map<String, String> configs(String topic) {
        String policy = all().get(topic);
        if (policy == null) {
            throw new IllegalArgumentException("not a ragline topic: " + topic);
        }
        return switch (topic) {
            case DOCUMENTS -> Map.of("cleanup.policy", policy, "max.message.bytes", Integer.toString(MAX_DOCUMENT_RECORD_BYTES));
            case DOCUMENTS_DLQ -> Map.of("cleanup.policy", policy, "max.message.bytes", Integer.toString(MAX_DLQ_RECORD_BYTES));
            default -> Map.of("cleanup.policy", policy);
        };
    }

    /** Document key on every keyed-by-document topic. Ids cannot contain '/', so it is unambiguous. */
    public static String documentKey(String tenant, String id) {
        return tenant + "/" + id;
    }
}
