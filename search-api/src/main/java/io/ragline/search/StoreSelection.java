package io.ragline.search;

import io.ragline.core.config.Env;
import io.ragline.search.index.ChunkIndex;
import io.ragline.search.index.LuceneIndex;
import io.ragline.search.store.milvus.MilvusChunkStore;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Which chunk store a search replica serves from: its own Lucene index (default) or a shared Milvus. */
public sealed interface StoreSelection {
    /** Opens (creating if needed) the store for vectors of {@code dimension}. */
    ChunkIndex open(int dimension);

    /** Where the store lives, for error messages. */
    String describe();

    record Lucene(Path dir, LuceneIndex.VectorFormat format) implements StoreSelection {
        @Override
        public ChunkIndex open(int dimension) {
            return new LuceneIndex(dir, format);
        }

        @Override
        public String describe() {
            return "the Lucene index at " + dir;
        }
    }

    /** @param token {@code user:password} or an API key; empty when Milvus runs without authentication */
    record Milvus(String uri, String token, String collection) implements StoreSelection {
        @Override
        public ChunkIndex open(int dimension) {
            return MilvusChunkStore.connect(uri, token, collection, dimension);
        }

        @Override
        public String describe() {
            return "the Milvus collection " + collection + " at " + uri;
        }

        @Override
        public String toString() {
            return "Milvus[uri=" + uri + ", collection=" + collection + "]"; // never the token
        }
    }

    /** From {@code RAGLINE_STORE} and its companions; {@code indexDir} and {@code format} serve Lucene. */
    static StoreSelection fromEnv(Map<String, String> env, Path indexDir, LuceneIndex.VectorFormat format) {
        String store = Env.RAGLINE_STORE.get(env).strip().toLowerCase(Locale.ROOT);
        return switch (store) {
            case "lucene" -> new Lucene(indexDir, format);
            case "milvus" -> new Milvus(Env.RAGLINE_MILVUS_URI.get(env), Env.RAGLINE_MILVUS_TOKEN.get(env),
                    Env.RAGLINE_MILVUS_COLLECTION.get(env));
            default -> throw new IllegalArgumentException("RAGLINE_STORE must be lucene or milvus, was '" + store + "'");
        };
    }
}
