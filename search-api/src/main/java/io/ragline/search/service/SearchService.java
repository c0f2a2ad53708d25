package io.ragline.search.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ragline.core.metrics.MetricNames;
import io.ragline.core.model.Embedder;
import io.ragline.search.api.SearchRequest;
import io.ragline.search.index.ChunkHit;
import io.ragline.search.index.ChunkQuery;
import io.ragline.search.index.ChunkStore;
import io.ragline.search.index.Fusion;
import io.ragline.search.index.SearchMode;
import io.ragline.search.index.SearchPage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Embeds the query when the mode needs it, searches the tenant's index, shapes the results. */
public final class SearchService {
    private final ChunkStore store;
    private final Embedder embedder;
    private final MeterRegistry registry;

    private final Fusion fusion;

    public SearchService(ChunkStore store, Embedder embedder, Fusion fusion, MeterRegistry registry) {
        this.store = store;
        this.fusion = fusion;
        this.embedder = embedder;
        this.registry = registry;
    }

    public SearchResponse search(String tenant, SearchRequest request) {
        long start = System.nanoTime();
        float[] vector = request.mode() == SearchMode.KEYWORD ? null : embedder.embedQuery(request.query());
        long embedded = System.nanoTime();
        SearchPage page;
        try {
            page = store.search(new ChunkQuery(tenant, request.query(), vector, request.mode(), request.filters(),
                    request.offset(), request.topK(), request.granularity(), fusion));
        } catch (IOException e) {
            throw new UncheckedIOException("search failed", e);
        }
        long retrieved = System.nanoTime();
        List<SearchResult> results = new ArrayList<>(page.hits().size());
        for (ChunkHit hit : page.hits()) {
            results.add(new SearchResult(hit.documentId(), hit.tenant(), hit.version(), hit.chunkId(), hit.score(),
                    hit.title(), hit.snippet(), hit.metadata(), hit.matchedBy()));
        }
        int next = request.offset() + request.topK();
        // no next page past the deepest a request may reach
        Integer nextOffset = page.more() && next < ChunkQuery.MAX_DEPTH ? next : null;
        long tookNanos = System.nanoTime() - start;
        Timer.builder(MetricNames.SEARCH).tag("mode", request.mode().wireName())
                .description("Search latency, query embedding included")
                .publishPercentileHistogram()
                .register(registry).record(tookNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        return new SearchResponse(results, request.offset(), nextOffset, tookNanos / 1_000_000,
                embedded - start, retrieved - embedded);
    }
}
