package io.ragline.ingest.reindex;

import java.time.Duration;

/**
 * @param batchSize     chunks per scan activity when the request names none
 * @param batchesPerRun scan activities per run before the workflow continues as new (keeps its history small)
 * @param fillTimeout   how long the new generation may take to fill when the request names no timeout
 * @param waitSlice     how long one waiting activity waits on the replica before reporting back
 * @param pause         durable timer between two waits
 * @param switchTimeout how long replicas may take to switch
 */
public record ReindexSettings(int batchSize, int batchesPerRun, Duration fillTimeout, Duration waitSlice,
                              Duration pause, Duration switchTimeout) {
    public static ReindexSettings defaults() {
        return new ReindexSettings(500, 20, Duration.ofHours(2), Duration.ofSeconds(30), Duration.ofSeconds(2),
                Duration.ofMinutes(10));
    }
}
