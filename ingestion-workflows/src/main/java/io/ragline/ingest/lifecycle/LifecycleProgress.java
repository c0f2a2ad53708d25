package io.ragline.ingest.lifecycle;

import io.ragline.core.event.DocumentStatus;

/** What {@link IndexDocumentWorkflow#status()} reports; also the workflow's result. */
public record LifecycleProgress(String documentKey, long version, DocumentStatus status, int chunkCount,
                                long indexedChunks, boolean superseded, String reason) {
}
