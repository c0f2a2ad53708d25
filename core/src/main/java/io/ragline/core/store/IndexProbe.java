package io.ragline.core.store;

import java.time.Duration;

/** What the document lifecycle asks of an index replica. */
public interface IndexProbe {
    /** Chunks of this document version the index holds, searchable or not yet. */
    long indexedChunks(String tenant, String documentId, long version);

    /** The newest {@code ragline.document-state} revision of the document the index serves (0: none). */
    long appliedRevision(String tenant, String documentId);

    /**
     * Waits up to {@code wait} until the index holds {@code expected} chunks of the version; returns
     * how many it holds then. Implementations that can be told of changes should not poll.
     */
    default long awaitIndexedChunks(String tenant, String documentId, long version, int expected, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        long seen;
        while ((seen = indexedChunks(tenant, documentId, version)) < expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return seen;
    }

    /** Waits up to {@code wait} until the index serves {@code revision}; returns whether it does. */
    default boolean awaitRevision(String tenant, String documentId, long revision, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean applied;
        while (!(applied = appliedRevision(tenant, documentId) >= revision) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return applied;
    }
}
