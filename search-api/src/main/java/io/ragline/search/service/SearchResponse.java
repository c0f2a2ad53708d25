package io.ragline.search.service;

import java.util.List;

public record SearchResponse(List<SearchResult> results, long tookMs) {
}
