package io.ragline.ingest.reindex;

/** Where a re-index is; it moves only forward. */
public enum ReindexPhase {
    /** Allocating the new generation; replicas open it. */
    STARTING,
    /** Reading ragline.embeddings and publishing each active chunk to ragline.chunks again. */
    SCANNING,
    /**
     * A rebuild ({@code fromLog}): the new generation reads ragline.embeddings from its start, nothing
     * is embedded again; waiting until it holds every active chunk.
     */
    REBUILDING,
    /** Every chunk was republished; waiting until the new generation holds every active chunk. */
    EMBEDDING,
    /** Replicas are switching searches to the new generation. */
    SWITCHING,
    DONE,
    FAILED
}
