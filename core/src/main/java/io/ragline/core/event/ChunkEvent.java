package io.ragline.core.event;

import java.util.List;
import java.util.Map;

/**
 * One chunk of one document version, on {@code ragline.chunks}; key is the document key.
 * {@code tags} and {@code timestamp} (epoch millis: the document's own, else its Kafka record's)
 * are absent in chunks written before they existed.
 */
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
        Map<String, Object> metadata,
        List<String> tags,
        Long timestamp) {

    public static final String SCHEMA = "ragline.chunk.v1";

    /** The fields before {@code tags} and {@code timestamp}, for callers that set neither. */
    public ChunkEvent(String schema, String tenant, String documentId, long version, String chunkId, int seq,
                      int chunkCount, String title, String text, String source, String language,
                      Map<String, Object> metadata) {
        this(schema, tenant, documentId, version, chunkId, seq, chunkCount, title, text, source, language, metadata,
                null, null);
    }

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
