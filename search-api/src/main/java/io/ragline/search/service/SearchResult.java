package io.ragline.search.service;

import java.util.Map;

/**
 * One entry of the {@code POST /v1/search} response: a document and its best chunk (or, with
 * chunk granularity, one chunk). {@code snippet} is HTML with the matched terms in {@code <em>};
 * {@code matchedBy} gives each retriever that found the result its 1-based rank there.
 */
public record SearchResult(String documentId, String tenant, long version, String chunkId, double score, String title,
                           String snippet, Map<String, Object> metadata, Map<String, Integer> matchedBy) {
}
