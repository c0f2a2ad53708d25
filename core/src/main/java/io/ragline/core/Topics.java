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

    /** Document key on every keyed-by-document topic. Ids cannot contain '/', so it is unambiguous. */
    public static String documentKey(String tenant, String id) {
        return tenant + "/" + id;
    }
}
