package io.ragline.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ragline.search.index.LuceneIndex;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreSelectionTest {
    private static final Path DIR = Path.of("index");

    @Test
    void luceneIsTheDefault() {
        assertThat(StoreSelection.fromEnv(Map.of(), DIR, LuceneIndex.VectorFormat.FLOAT))
                .isEqualTo(new StoreSelection.Lucene(DIR, LuceneIndex.VectorFormat.FLOAT));
    }

    @Test
    void milvusTakesItsAddressTokenAndCollection() {
        StoreSelection s = StoreSelection.fromEnv(Map.of("RAGLINE_STORE", " Milvus ", "RAGLINE_MILVUS_URI", "http://m:19530",
                "RAGLINE_MILVUS_TOKEN", "root:secret"), DIR, LuceneIndex.VectorFormat.INT8);
        assertThat(s).isEqualTo(new StoreSelection.Milvus("http://m:19530", "root:secret", "ragline_chunks"));
        assertThat(s.toString()).doesNotContain("secret");
    }

    @Test
    void anUnknownStoreIsRefusedByName() {
        assertThatThrownBy(() -> StoreSelection.fromEnv(Map.of("RAGLINE_STORE", "elastic"), DIR, LuceneIndex.VectorFormat.INT8))
                .hasMessageContaining("RAGLINE_STORE must be lucene or milvus");
    }
}
