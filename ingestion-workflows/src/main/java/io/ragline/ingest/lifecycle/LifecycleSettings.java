package io.ragline.ingest.lifecycle;

import java.time.Duration;

/**
 * @param indexTimeout how long a version may take to get all its chunks indexed; when the time is
 *                     up and chunks are missing, they are re-driven and the version gets the same
 *                     time again, up to {@code maxRedrives} times, after which it FAILS
 * @param waitSlice    how long one waiting activity waits on the index before reporting back
 * @param pause        how long the workflow sleeps between two waits that found the version incomplete
 * @param maxRedrives  how often missing chunks are published again before the version fails
 */
public record LifecycleSettings(Duration indexTimeout, Duration waitSlice, Duration pause, int maxRedrives) {
    public LifecycleSettings(Duration indexTimeout, Duration waitSlice) {
        this(indexTimeout, waitSlice, Duration.ofSeconds(1), 2);
    }
}
