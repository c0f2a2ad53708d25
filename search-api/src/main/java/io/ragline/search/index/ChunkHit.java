package io.ragline.search.index;

import java.util.Map;

/**
 * One search result: a chunk (with document granularity, its document's best). {@code snippet}
 * is HTML: the chunk's text escaped, with the query's matched terms in {@code <em>}.
 * {@code matchedBy} maps each retriever that found it ("keyword", "vector") to its 1-based rank there.
 */
public record ChunkHit(String documentId, String tenant, long version, String chunkId, double score, String title,
                       String text, String source, Map<String, Object> metadata, String snippet,
                       Map<String, Integer> matchedBy) {
    public ChunkHit {
        matchedBy = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(matchedBy));
    }
}
