package io.ragline.core.store;

/** What the document lifecycle asks of an index replica. */
public interface IndexProbe {
    /** Chunks of this document version the index holds, searchable or not yet. */
    long indexedChunks(String tenant, String documentId, long version);

    /** The newest {@code ragline.document-state} revision of the document the index serves (0: none). */
    long appliedRevision(String tenant, String documentId);
}
