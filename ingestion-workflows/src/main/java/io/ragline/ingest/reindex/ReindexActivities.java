package io.ragline.ingest.reindex;

import io.temporal.activity.ActivityInterface;
import java.util.Map;

/** The side effects of a re-index. Every one is idempotent for the same owner (the workflow id). */
@ActivityInterface
public interface ReindexActivities {
    /**
     * Allocates the next generation on ragline.index-generations, starting where ragline.embeddings
     * ends now; returns the one {@code owner} allocated already when retried. Fails when another
     * re-index is building.
     */
    GenerationPlan begin(String owner, String model);

    /**
     * As {@link #begin}, for a rebuild: the generation starts reading ragline.embeddings at its start,
     * so it fills from what the log holds without anything embedded again.
     */
    GenerationPlan beginRebuild(String owner);

    /** Reads up to about {@code batchSize} records from {@code cursor} and republishes the active chunks among them. */
    ScanBatch republish(long generation, Map<String, Long> cursor, Map<String, Long> scanEnd, int batchSize);

    /** Waits up to {@code waitMillis} until the generation holds every active chunk; reports how far it is. */
    GenerationCheck awaitFilled(long generation, long waitMillis);

    /** Makes the generation the serving one on ragline.index-generations. */
    void switchTo(String owner, long generation);

    /** Waits up to {@code waitMillis} until the replica serves the generation; returns whether it does. */
    boolean awaitServing(long generation, long waitMillis);

    /** Drops the building generation (replicas delete it); nothing if {@code owner} no longer owns it. */
    void abandon(String owner, long generation);
}
