package io.ragline.search.store.milvus;

import io.ragline.search.index.ChunkStoreContract;
import java.nio.file.Path;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.milvus.MilvusContainer;

/**
 * The store contract on a real Milvus standalone server. Needs Docker: skipped where there is
 * none. 2.6.2 is the first server with partial upserts, which activation uses.
 */
@Testcontainers(disabledWithoutDocker = true)
class MilvusChunkStoreContractTest extends ChunkStoreContract {
    @Container
    private final MilvusContainer milvus = new MilvusContainer("milvusdb/milvus:v2.6.4");

    @Override
    protected StoreUnderTest open(int dimension, Path scratch) {
        MilvusChunkStore store = MilvusChunkStore.connect(milvus.getEndpoint(), "", "ragline_contract", dimension);
        return new StoreUnderTest(store, store);
    }
}
