package io.ragline.ingest.reindex;

/**
 * What {@link ReindexWorkflow#progress()} reports, and the workflow's result. Counts only grow
 * (but {@code chunksIndexed} follows deletes while it waits).
 *
 * @param generation        the generation being built (0 until it is allocated)
 * @param model             only embeddings of this model fill it; null: any
 * @param chunksScanned     records of ragline.embeddings read
 * @param chunksRepublished active chunks published to ragline.chunks again
 * @param chunksIndexed     active chunks the new generation holds, at the last check
 * @param expectedChunks    active chunks in the metadata store, at the last check
 * @param startedAtMillis   when the re-index began (its first run)
 * @param runs              how many runs (continue-as-new) it took so far
 * @param detail            why it failed, or what it waits for
 */
public record ReindexProgress(String reason, long generation, String model, ReindexPhase phase, long chunksScanned,
                              long chunksRepublished, long chunksIndexed, long expectedChunks, long startedAtMillis,
                              int runs, String detail) {

    static ReindexProgress starting(String reason, long nowMillis) {
        return new ReindexProgress(reason, 0, null, ReindexPhase.STARTING, 0, 0, 0, 0, nowMillis, 1, null);
    }

    ReindexProgress began(long generation, String model) {
        return new ReindexProgress(reason, generation, model, ReindexPhase.SCANNING, chunksScanned, chunksRepublished,
                chunksIndexed, expectedChunks, startedAtMillis, runs, null);
    }

    ReindexProgress scanned(long scanned, long republished, boolean done) {
        return new ReindexProgress(reason, generation, model, done ? ReindexPhase.EMBEDDING : ReindexPhase.SCANNING,
                chunksScanned + scanned, chunksRepublished + republished, chunksIndexed, expectedChunks,
                startedAtMillis, runs, null);
    }

    ReindexProgress checked(long indexed, long expected) {
        return new ReindexProgress(reason, generation, model, phase, chunksScanned, chunksRepublished, indexed, expected,
                startedAtMillis, runs, null);
    }

    ReindexProgress inPhase(ReindexPhase next, String why) {
        return new ReindexProgress(reason, generation, model, next, chunksScanned, chunksRepublished, chunksIndexed,
                expectedChunks, startedAtMillis, runs, why);
    }

    ReindexProgress nextRun() {
        return new ReindexProgress(reason, generation, model, phase, chunksScanned, chunksRepublished, chunksIndexed,
                expectedChunks, startedAtMillis, runs + 1, detail);
    }
}
