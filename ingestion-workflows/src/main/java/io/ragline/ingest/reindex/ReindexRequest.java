package io.ragline.ingest.reindex;

/**
 * The one input of {@link ReindexWorkflow}; every field may be left out, e.g.
 * {@code {"reason": "new embedding model", "batchSize": 500}}.
 *
 * @param reason         why (shown in the progress), free text
 * @param batchSize      chunks read per scan activity (default 500)
 * @param model          fill the new generation only with embeddings of this model id (what the workers
 *                       stamp); default: any model of the same vector dimension as the serving one
 * @param timeoutMinutes how long the new generation may take to hold every active chunk after the scan
 *                       before the re-index fails and drops it (default 120)
 * @param resume         internal: set by continue-as-new
 */
public record ReindexRequest(String reason, Integer batchSize, String model, Integer timeoutMinutes,
                             ReindexCheckpoint resume) {

    int batchSizeOr(int fallback) {
        return batchSize == null || batchSize <= 0 ? fallback : batchSize;
    }

    long timeoutMillisOr(java.time.Duration fallback) {
        return timeoutMinutes == null || timeoutMinutes <= 0 ? fallback.toMillis() : timeoutMinutes * 60_000L;
    }

    ReindexRequest resumingFrom(ReindexCheckpoint checkpoint) {
        return new ReindexRequest(reason, batchSize, model, timeoutMinutes, checkpoint);
    }
}
