package io.ragline.search.index;

import java.nio.file.Path;

/** The store contract on the local Lucene index. */
class LuceneChunkStoreContractTest extends ChunkStoreContract {
    @Override
    protected StoreUnderTest open(int dimension, Path scratch) {
        LuceneIndex index = new LuceneIndex(scratch);
        return new StoreUnderTest(index, index);
    }
}
