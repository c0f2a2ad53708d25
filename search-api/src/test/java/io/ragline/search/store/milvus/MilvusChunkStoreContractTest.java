package io.ragline.search.store.milvus;

import io.ragline.search.index.ChunkIndex;
import io.ragline.search.index.ChunkStoreContract;
import java.nio.file.Path;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.milvus.MilvusContainer;

/**
 * The store contract on a real Milvus standalone server. Needs Docker: skipped where there is
 * none. The image is docker-compose.yml's (partial upserts, which activation uses, need 2.6.2+).
 */
@Testcontainers(disabledWithoutDocker = true)
class MilvusChunkStoreContractTest extends ChunkStoreContract {
    @Container
    private final MilvusContainer milvus = new MilvusContainer("milvusdb/milvus:v2.6.9");

    @Override
    protected ChunkIndex open(int dimension, Path scratch) {
        return MilvusChunkStore.connect(milvus.getEndpoint(), "", "ragline_contract", dimension);
    }
}
