package io.ragline.devstack.serve;

import io.ragline.core.config.Env;
import io.ragline.core.model.Embedder;
import io.ragline.core.model.OnnxEmbedder;
import java.nio.file.Path;
import java.util.Map;

/** Loads the embedding model the environment asks for: the bundled one, or a model directory. */
public final class Models {
    private Models() {
    }

    public static Embedder load(Map<String, String> env, Path dataDir) {
        int threads = Env.RAGLINE_EMBED_THREADS.getInt(env);
        return OnnxEmbedder.bundled(dataDir.resolve("models"), threads);
    }
}
