package io.ragline.ingest.lifecycle;

import java.time.Duration;

/**
 * @param indexTimeout how long a version may take to get all its chunks indexed before it fails
 * @param waitSlice    how long one waiting activity polls the index before reporting back
 */
public record LifecycleSettings(Duration indexTimeout, Duration waitSlice) {
    public static LifecycleSettings defaults() {
        return new LifecycleSettings(Duration.ofMinutes(30), Duration.ofSeconds(10));
    }
}
