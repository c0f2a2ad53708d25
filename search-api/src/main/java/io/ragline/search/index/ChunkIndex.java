package io.ragline.search.index;

/** A chunk store as a search replica holds it: searched by the API, written by the indexer. */
public interface ChunkIndex extends ChunkStore, ChunkSink {
}
