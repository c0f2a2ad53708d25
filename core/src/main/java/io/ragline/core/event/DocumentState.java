package io.ragline.core.event;

/**
 * A document's state on {@code ragline.document-state}; key is the document key. A snapshot, not
 * a delta: compaction keeps only the latest, so it carries everything an index replica needs
 * (which version is searchable) to rebuild from the log. {@code revision} grows with each change
 * of the document; replicas ignore anything older than what they applied.
 */
public record DocumentState(
        String schema,
        String tenant,
        String documentId,
        DocumentStatus status,
        long version,
        long activeVersion,
        int chunkCount,
        long revision,
        String reason,
        long updatedAtMillis) {

    public static final String SCHEMA = "ragline.document-state.v1";

    public String documentKey() {
        return tenant + "/" + documentId;
    }
}
