package io.ragline.ingest.lifecycle;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ragline.core.event.DocumentState;
import io.ragline.core.metrics.MetricNames;
import io.ragline.core.event.LifecycleEvent;
import io.ragline.core.store.IndexProbe;
import io.ragline.core.store.MetadataStore;
import io.ragline.core.store.StatePublisher;
import io.ragline.core.Topics;
import io.temporal.activity.Activity;
import java.time.Duration;
import org.slf4j.MDC;

public final class DocumentLifecycleActivitiesImpl implements DocumentLifecycleActivities {
    private static final Duration HEARTBEAT_SLICE = Duration.ofSeconds(2);
    public static final String DOCUMENT_KEY_MDC = "documentKey";

    private final MetadataStore metadata;
    private final IndexProbe index;
    private final StatePublisher publisher;

    private final Counter failed;

    private final ChunkRedriver redriver;

    public DocumentLifecycleActivitiesImpl(MetadataStore metadata, IndexProbe index, StatePublisher publisher,
                                           ChunkRedriver redriver, MeterRegistry registry) {
        this.redriver = redriver;
        this.failed = Counter.builder(MetricNames.DOCUMENTS_FAILED)
                .description("Document versions whose lifecycle failed").register(registry);
        this.metadata = metadata;
        this.index = index;
        this.publisher = publisher;
    }

    @Override
    public void recordChunked(LifecycleEvent event) {
        try (var ignored = document(event.tenant(), event.documentId())) {
            metadata.recordChunked(event);
        }
    }

    @Override
    public long waitForIndexedChunks(String tenant, String documentId, long version, int expected, long waitMillis) {
        try (var ignored = document(tenant, documentId)) {
            if (metadata.find(tenant, documentId).map(r -> r.version() > version).orElse(false)) {
                return SUPERSEDED; // a newer version or a delete owns the document now: stop waiting
            }
            return inSlices(waitMillis, slice -> {
                long seen = index.awaitIndexedChunks(tenant, documentId, version, expected, slice);
                return seen >= expected ? seen : -seen - 1;
            });
        }
    }

    @Override
    public int redriveChunks(String tenant, String documentId, long version, long acceptedAtMillis) {
        try (var ignored = document(tenant, documentId)) {
            return redriver.redrive(tenant, documentId, version, acceptedAtMillis);
        }
    }

    @Override
    public DocumentState activate(String tenant, String documentId, long version, int chunkCount) {
        try (var ignored = document(tenant, documentId)) {
            return metadata.activate(tenant, documentId, version, chunkCount, publisher);
        }
    }

    @Override
    public boolean waitForIndexRevision(String tenant, String documentId, long revision, long waitMillis) {
        try (var ignored = document(tenant, documentId)) {
            return inSlices(waitMillis, slice -> index.awaitRevision(tenant, documentId, revision, slice) ? 1L : -1L) > 0;
        }
    }

    @Override
    public void confirmActive(String tenant, String documentId, long version) {
        try (var ignored = document(tenant, documentId)) {
            metadata.confirmActive(tenant, documentId, version);
        }
    }

    @Override
    public DocumentState markDeleted(String tenant, String documentId, long version) {
        try (var ignored = document(tenant, documentId)) {
            return metadata.markDeleted(tenant, documentId, version, publisher);
        }
    }

    @Override
    public DocumentState markFailed(String tenant, String documentId, long version, String reason) {
        try (var ignored = document(tenant, documentId)) {
            DocumentState state = metadata.markFailed(tenant, documentId, version, reason, publisher);
            if (state != null && state.status() == io.ragline.core.event.DocumentStatus.FAILED && state.version() == version) {
                failed.increment();
            }
            return state;
        }
    }

    /**
     * The document on the activity's log lines, as MDC {@value #DOCUMENT_KEY_MDC}; Temporal's worker
     * already puts the workflow's id there ({@code WorkflowId}, with {@code RunId} and {@code ActivityType}).
     */
    private static MDC.MDCCloseable document(String tenant, String documentId) {
        return MDC.putCloseable(DOCUMENT_KEY_MDC, Topics.documentKey(tenant, documentId));
    }

    private interface Wait {
        /** Waits at most {@code slice}; a non-negative result means done (and is returned), negative not yet. */
        long await(Duration slice) throws InterruptedException;
    }

    /**
     * Waits in short slices, heartbeating between them so that Temporal notices a dead worker,
     * until done or the time is up; returns the last result, decoded (-r-1 for "not yet, r").
     */
    private static long inSlices(long waitMillis, Wait wait) {
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        try {
            while (true) {
                long left = Math.max(0, deadline - System.nanoTime());
                long result = wait.await(Duration.ofNanos(Math.min(left, HEARTBEAT_SLICE.toNanos())));
                if (result >= 0) {
                    return result;
                }
                if (System.nanoTime() >= deadline) {
                    return -result - 1;
                }
                Activity.getExecutionContext().heartbeat(null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the index", e);
        }
    }
}
