package io.ragline.ops.restore;

/**
 * Stops and restarts everything that writes the index and the metadata (ingest topology, embedding
 * workers, indexer, lifecycle workers), so a restore does not race with them. The runtime
 * implements it.
 */
public interface IngestionControl {
    /**
     * Stops consuming and returns once every consumer has left its group (offsets can then be
     * reset). Idempotent.
     */
    void pause(String reason);

    /** Starts consuming again from the committed offsets. Idempotent; harmless when not paused. */
    void resume();

    boolean paused();

    /**
     * Whether {@link #pause} leaves every consumer group empty, so that a restore may set their
     * offsets. A fleet-wide pause that stops only what writes the metadata (the consumers keep their
     * positions, the logs were not rewound) does not.
     */
    default boolean emptiesConsumerGroups() {
        return true;
    }
}
