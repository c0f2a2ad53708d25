package io.ragline.search.index;

import java.util.Map;

/** One search result: a document's best-ranked chunk. */
public record ChunkHit(String documentId, String tenant, long version, String chunkId, double score, String title,
                       String text, String source, Map<String, Object> metadata) {
    ChunkHit withScore(double newScore) {
        return new ChunkHit(documentId, tenant, version, chunkId, newScore, title, text, source, metadata);
    }
}
