package io.ragline.search.service;

import java.util.Map;

/** One entry of the {@code POST /v1/search} response: a document and its best chunk. */
public record SearchResult(String documentId, String tenant, long version, String chunkId, double score, String title,
                           String snippet, Map<String, Object> metadata) {
}
