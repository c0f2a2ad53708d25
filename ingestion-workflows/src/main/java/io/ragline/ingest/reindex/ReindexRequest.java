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
 * @param fromLog        rebuild: the new generation reads {@code ragline.embeddings} from its start and
 *                       nothing is embedded again (DESIGN.md invariant 4); what a restore asks for when
 *                       the replicas' indexes were not in the backup. Default false: re-embed every active chunk
 * @param resume         internal: set by continue-as-new
 */
public record ReindexRequest(String reason, Integer batchSize, String model, Integer timeoutMinutes, Boolean fromLog,
                             ReindexCheckpoint resume) {

    boolean rebuild() {
        return Boolean.TRUE.equals(fromLog);
    }

    int batchSizeOr(int fallback) {
        return batchSize == null || batchSize <= 0 ? fallback : batchSize;
    }

    long timeoutMillisOr(java.time.Duration fallback) {
        return timeoutMinutes == null || timeoutMinutes <= 0 ? fallback.toMillis() : timeoutMinutes * 60_000L;
    }

    ReindexRequest resumingFrom(ReindexCheckpoint checkpoint) {
        return new ReindexRequest(reason, batchSize, model, timeoutMinutes, fromLog, checkpoint);
    }
}
