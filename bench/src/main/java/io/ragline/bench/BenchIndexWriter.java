package io.ragline.bench;

import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.search.index.LuceneIndex;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes benchmark chunks into a {@link LuceneIndex} the way the indexer does (embedding events,
 * then one document-state snapshot per document activating version 1), without Kafka in between.
 */
final class BenchIndexWriter {
    private final LuceneIndex index;
    private final String tenant;
    private final String model;
    private final Map<String, Integer> chunksPerDocument = new LinkedHashMap<>();

    BenchIndexWriter(LuceneIndex index, String tenant, String model) {
        this.index = index;
        this.tenant = tenant;
        this.model = model;
    }

    void add(SearchLatencyBenchmark.BenchChunk c) throws IOException {
        ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, tenant, c.documentId(), 1,
                ChunkEvent.chunkId(tenant, c.documentId(), 1, c.seq()), c.seq(), 0, c.title(), c.text(), "bench",
                "en", Map.of());
        index.upsert(EmbeddingEvent.of(chunk, model, c.vector(), false));
        chunksPerDocument.merge(c.documentId(), 1, Integer::sum);
    }

    void activateAll() throws IOException {
        long now = System.currentTimeMillis();
        for (Map.Entry<String, Integer> e : chunksPerDocument.entrySet()) {
            index.apply(new DocumentState(DocumentState.SCHEMA, tenant, e.getKey(), DocumentStatus.ACTIVE, 1, 1,
                    e.getValue(), 1, null, now));
        }
    }
}
