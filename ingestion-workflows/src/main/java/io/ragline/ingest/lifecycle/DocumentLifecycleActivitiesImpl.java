package io.ragline.ingest.lifecycle;

import io.ragline.core.event.DocumentState;
import io.ragline.core.event.LifecycleEvent;
import io.ragline.core.store.IndexProbe;
import io.ragline.core.store.MetadataStore;
import io.ragline.core.store.StatePublisher;
import io.temporal.activity.Activity;
import java.util.function.BooleanSupplier;

public final class DocumentLifecycleActivitiesImpl implements DocumentLifecycleActivities {
    private static final long POLL_MILLIS = 50;

    private final MetadataStore metadata;
    private final IndexProbe index;
    private final StatePublisher publisher;

    public DocumentLifecycleActivitiesImpl(MetadataStore metadata, IndexProbe index, StatePublisher publisher) {
        this.metadata = metadata;
        this.index = index;
        this.publisher = publisher;
    }

    @Override
    public void recordChunked(LifecycleEvent event) {
        metadata.recordChunked(event);
    }

    @Override
    public long waitForIndexedChunks(String tenant, String documentId, long version, int expected, long waitMillis) {
        long[] seen = {0};
        poll(waitMillis, () -> (seen[0] = index.indexedChunks(tenant, documentId, version)) >= expected);
        return seen[0];
    }

    @Override
    public DocumentState activate(String tenant, String documentId, long version, int chunkCount) {
        return metadata.activate(tenant, documentId, version, chunkCount, publisher);
    }

    @Override
    public boolean waitForIndexRevision(String tenant, String documentId, long revision, long waitMillis) {
        return poll(waitMillis, () -> index.appliedRevision(tenant, documentId) >= revision);
    }

    @Override
    public void confirmActive(String tenant, String documentId, long version) {
        metadata.confirmActive(tenant, documentId, version);
    }

    @Override
    public DocumentState markDeleted(String tenant, String documentId, long version) {
        return metadata.markDeleted(tenant, documentId, version, publisher);
    }

    @Override
    public DocumentState markFailed(String tenant, String documentId, long version, String reason) {
        return metadata.markFailed(tenant, documentId, version, reason, publisher);
    }

    /** Polls until done or the time is up, heartbeating so a dead worker is noticed. */
    private static boolean poll(long waitMillis, BooleanSupplier done) {
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        while (true) {
            if (done.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Activity.getExecutionContext().heartbeat(null);
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
