package io.ragline.devstack.serve;

import io.ragline.core.config.Env;
import io.ragline.core.model.Embedder;
import io.ragline.core.model.ModelTokenizer;
import io.ragline.core.model.OnnxEmbedder;
import java.nio.file.Path;
import java.util.Map;

/** Loads the embedding model the environment asks for: the bundled one, or a model directory. */
public final class Models {
    private Models() {
    }

    public static Embedder load(Map<String, String> env, Path dataDir) {
        return load(Env.RAGLINE_MODEL_DIR.lookup(env).map(Path::of).orElse(null), dataDir,
                Env.RAGLINE_EMBED_THREADS.getInt(env));
    }

    /** The tokenizer of the model the environment asks for: what the ingest topology chunks by. */
    public static ModelTokenizer tokenizer(Map<String, String> env, Path dataDir) {
        return tokenizer(Env.RAGLINE_MODEL_DIR.lookup(env).map(Path::of).orElse(null), dataDir);
    }

    public static ModelTokenizer tokenizer(Path modelDir, Path dataDir) {
        return modelDir == null ? ModelTokenizer.bundled(dataDir.resolve("models")) : ModelTokenizer.fromDirectory(modelDir);
    }

    /** @param modelDir a directory with {@code ragline-model.json}, or null for the bundled model */
    public static Embedder load(Path modelDir, Path dataDir, int threads) {
        return modelDir == null
                ? OnnxEmbedder.bundled(dataDir.resolve("models"), threads)
                : OnnxEmbedder.fromDirectory(modelDir, threads);
    }
}
