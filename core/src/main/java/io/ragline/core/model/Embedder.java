package io.ragline.core.model;

import java.util.List;

/** Turns text into unit-length vectors. Implementations are thread-safe. */
public interface Embedder extends AutoCloseable {
    /** A stable name for the model, recorded with every vector. */
    default String modelId() {
        return "bge-small-en-v1.5-q";
    }

    int dimension();

    int maxTokens();

    /** Whether the passage is longer than {@link #maxTokens()}, so the model only sees its beginning. */
    boolean truncates(String passage);

    /**
     * Embeds passages (documents/chunks); vectors are L2-normalised. A passage's vector must not
     * depend on the other passages of the call, so that ranking never depends on batching.
     */
    List<float[]> embedPassages(List<String> passages);

    /** Embeds a search query (the model's query prefix is applied here). */
    float[] embedQuery(String query);

    @Override
    void close();
}
