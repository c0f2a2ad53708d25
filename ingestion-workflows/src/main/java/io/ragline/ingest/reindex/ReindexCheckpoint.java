package io.ragline.ingest.reindex;

import java.util.Map;

/**
 * What a re-index carries into its next run (continue-as-new): its progress and where the scan
 * of ragline.embeddings stands. Not for operators: a request from the UI leaves it out.
 *
 * @param cursor  per partition ({@code topic-partition}), the next offset to read
 * @param scanEnd per partition, where the scan stops: what was embedded later reaches the new generation by itself
 */
public record ReindexCheckpoint(ReindexProgress progress, Map<String, Long> cursor, Map<String, Long> scanEnd) {
}
