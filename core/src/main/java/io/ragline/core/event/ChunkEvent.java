package io.ragline.core.event;

import java.util.Map;

/** One chunk of one document version, on {@code ragline.chunks}; key is the document key. */
public record ChunkEvent(
        String schema,
        String tenant,
        String documentId,
        long version,
        String chunkId,
        int seq,
        int chunkCount,
        String title,
        String text,
        String source,
        String language,
        Map<String, Object> metadata) {

    public static final String SCHEMA = "ragline.chunk.v1";

    public static String chunkId(String tenant, String documentId, long version, int seq) {
        return tenant + "/" + documentId + "#" + version + "#" + seq;
    }

    public String documentKey() {
        return tenant + "/" + documentId;
    }

    /** What the embedding model sees: the title gives every chunk its document's context. */
    public String embeddingText() {
        return title == null || title.isBlank() ? text : title + "\n" + text;
    }
}
