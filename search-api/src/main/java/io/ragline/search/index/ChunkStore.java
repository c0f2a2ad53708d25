package io.ragline.search.index;

import java.io.IOException;

/**
 * A searchable store of embedded chunks: the contract search needs from an index, kept free of
 * any engine's types so the local Lucene index and a shared store (Milvus) are interchangeable.
 * An implementation searches only the query's tenant and only active versions, applies the
 * filters inside each retriever (so a page is never short because filtering came after ranking)
 * and returns the page {@code [offset, offset + topK)} of one consistent ranking.
 */
public interface ChunkStore {
    SearchPage search(ChunkQuery query) throws IOException;
}
