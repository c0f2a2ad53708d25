package io.ragline.core.event;

import java.util.Map;

/**
 * The ingest topology's decision about one document version, on the internal
 * {@code ragline.lifecycle} topic: index a new version, or delete. Starts one
 * {@code IndexDocumentWorkflow}.
 */
public record LifecycleEvent(
        String schema,
        LifecycleOp op,
        String tenant,
        String documentId,
        long version,
        int chunkCount,
        String contentHash,
        String title,
        String source,
        String language,
        Map<String, Object> metadata,
        long acceptedAtMillis) {

    public static final String SCHEMA = "ragline.lifecycle.v1";

    public enum LifecycleOp { INDEX, DELETE }

    public String documentKey() {
        return tenant + "/" + documentId;
    }
}
