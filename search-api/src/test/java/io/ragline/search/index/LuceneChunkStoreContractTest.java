package io.ragline.search.index;

import java.nio.file.Path;

/** The store contract on the local Lucene index. */
class LuceneChunkStoreContractTest extends ChunkStoreContract {
    @Override
    protected ChunkIndex open(int dimension, Path scratch) {
        return new LuceneIndex(scratch);
    }
}
