package io.ragline.search.index;

import io.ragline.core.event.DocumentState;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.core.store.IndexProbe;
import java.io.Closeable;
import java.io.IOException;
import java.util.Map;

/**
 * The write side of a chunk store, as the {@link Indexer} drives it from the logs. Chunks of a
 * version stay unsearchable until a document-state snapshot activates the version; activation
 * retires older versions and a deleted state removes every chunk (DESIGN.md invariant 3).
 * Revisions and the active version per document are the replica's memory of
 * {@code ragline.document-state}, rebuilt by the indexer at every start.
 */
public interface ChunkSink extends IndexProbe, Closeable {
    /** Adds or replaces one embedded chunk; stale versions (older than active, or deleted) are skipped. */
    void upsert(EmbeddingEvent embedding) throws IOException;

    /** Removes one chunk (a tombstone on {@code ragline.embeddings}). */
    void deleteChunk(String chunkId) throws IOException;

    /** Applies a document-state snapshot: activates its active version, deletes what it supersedes. */
    void apply(DocumentState snapshot) throws IOException;

    /** Makes everything written so far searchable, and the applied revisions visible. */
    void refresh() throws IOException;

    /** Durably records the consumer offsets the store reflects. */
    void commit(Map<String, Long> offsets) throws IOException;

    /** The offsets of the last {@link #commit}, or empty for a new store (rebuild from the start). */
    Map<String, Long> committedOffsets();

    /** Forgets which version each document serves, before the indexer re-reads the document states. */
    void resetStates();

    /** Dimension of the vectors already stored, or 0 if none. */
    int vectorDimension();

    /** {@code documents} (with an active version) and {@code chunks} (active ones) that search serves now. */
    java.util.Map<String, Long> counts();
}
