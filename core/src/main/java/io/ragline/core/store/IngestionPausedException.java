package io.ragline.core.store;

/**
 * A metadata write refused because ingestion is paused ({@link IngestionPause}): retry it later.
 * Lifecycle activities retry it like any other failure, and the lifecycle starter holds its record.
 */
public final class IngestionPausedException extends MetadataStoreException {
    public IngestionPausedException(String why) {
        super("ingestion is paused: " + why, null);
    }
}
