package io.ragline.ops.dr;

import java.util.List;

/**
 * Starts, checks and stops whole ragline environments (a second data directory in the embedded
 * runtime, a namespace on Kubernetes). The runtime implements it.
 */
public interface Environments {
    /**
     * What would make {@link #start} fail or act on the wrong thing (unknown name, missing
     * objects, no permission), found without changing anything; empty when it can start.
     */
    List<String> check(String name);

    /**
     * Starts the environment's services, with empty state if it never ran, and its ops worker
     * (restore activities only) on {@link EnvironmentInfo#taskQueue}. Idempotent.
     */
    EnvironmentInfo start(String name);

    /** Searches it; returns what failed (empty: it answers as it should). */
    List<String> smokeTest(String name);

    /** Stops it and deletes its data. Idempotent. */
    void tearDown(String name);
}
