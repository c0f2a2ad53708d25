package io.ragline.search.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ragline.core.metrics.MetricNames;
import io.ragline.core.model.Embedder;
import io.ragline.search.api.SearchRequest;
import io.ragline.search.index.ChunkHit;
import io.ragline.search.index.Fusion;
import io.ragline.search.index.LuceneIndex;
import io.ragline.search.index.SearchMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Embeds the query when the mode needs it, searches the tenant's index, shapes the results. */
public final class SearchService {
    private static final int SNIPPET_CHARS = 300;

    private final LuceneIndex index;
    private final Embedder embedder;
    private final MeterRegistry registry;

    private final Fusion fusion;

    public SearchService(LuceneIndex index, Embedder embedder, Fusion fusion, MeterRegistry registry) {
        this.index = index;
        this.fusion = fusion;
        this.embedder = embedder;
        this.registry = registry;
    }

    public SearchResponse search(String tenant, SearchRequest request) {
        long start = System.nanoTime();
        float[] vector = request.mode() == SearchMode.KEYWORD ? null : embedder.embedQuery(request.query());
        List<ChunkHit> hits;
        try {
            hits = index.search(tenant, request.query(), vector, request.mode(), request.topK(), fusion);
        } catch (IOException e) {
            throw new UncheckedIOException("search failed", e);
        }
        List<SearchResult> results = new ArrayList<>(hits.size());
        for (ChunkHit hit : hits) {
            results.add(new SearchResult(hit.documentId(), hit.tenant(), hit.version(), hit.chunkId(), hit.score(),
                    hit.title(), snippet(hit.text()), hit.metadata()));
        }
        long tookNanos = System.nanoTime() - start;
        Timer.builder(MetricNames.SEARCH).tag("mode", request.mode().wireName())
                .description("Search latency, query embedding included")
                .publishPercentileHistogram()
                .register(registry).record(tookNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        return new SearchResponse(results, tookNanos / 1_000_000);
    }

    private static String snippet(String text) {
        if (text == null || text.length() <= SNIPPET_CHARS) {
            return text;
        }
        int cut = text.lastIndexOf(' ', SNIPPET_CHARS);
        return text.substring(0, cut > SNIPPET_CHARS / 2 ? cut : SNIPPET_CHARS) + "…";
    }
}
