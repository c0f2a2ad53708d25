package io.ragline.ingest.lifecycle;

import io.ragline.core.event.DocumentState;
import io.ragline.core.event.LifecycleEvent;
import io.temporal.activity.ActivityInterface;

/** The side effects of a document's lifecycle. Every one is idempotent. */
@ActivityInterface
public interface DocumentLifecycleActivities {
    /** Records the version in the metadata store as chunked and pending. */
    void recordChunked(LifecycleEvent event);

    /** What {@link #waitForIndexedChunks} returns when a newer version or a delete superseded the version. */
    long SUPERSEDED = -1;

    /**
     * Waits on the index for up to {@code waitMillis}; returns how many of the version's chunks it
     * holds, or {@link #SUPERSEDED}.
     */
    long waitForIndexedChunks(String tenant, String documentId, long version, int expected, long waitMillis);

    /** Publishes the version's chunks to {@code ragline.chunks} again; returns how many were found. */
    int redriveChunks(String tenant, String documentId, long version, long acceptedAtMillis);

    /** Makes the version the one search serves; null or another active version means superseded. */
    DocumentState activate(String tenant, String documentId, long version, int chunkCount);

    /** Polls for up to {@code waitMillis} until the index has applied {@code revision}; returns whether it has. */
    boolean waitForIndexRevision(String tenant, String documentId, long revision, long waitMillis);

    /** Marks the version ACTIVE in the metadata store once search serves it. */
    void confirmActive(String tenant, String documentId, long version);

    /** Deletes the document as of {@code version}; null means a newer version superseded the delete. */
    DocumentState markDeleted(String tenant, String documentId, long version);

    /** Marks the version FAILED with a reason; the previously active version stays searchable. */
    DocumentState markFailed(String tenant, String documentId, long version, String reason);
}
