package io.ragline.core.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.ragline.core.chunk.TokenCounter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The embedding model's tokenizer alone (no ONNX session): what the ingest topology chunks by.
 * Counts without truncation, so that the chunker sees true lengths.
 */
public final class ModelTokenizer implements TokenCounter, AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final int maxTokens;

    private ModelTokenizer(HuggingFaceTokenizer tokenizer, int maxTokens) {
        this.tokenizer = tokenizer;
        this.maxTokens = maxTokens;
    }

    /** The bundled bge-small-en-v1.5 tokenizer (512 tokens), copied into {@code cacheDir}. */
    public static ModelTokenizer bundled(Path cacheDir) {
        return load(OnnxEmbedder.bundledTokenizer(cacheDir), 512);
    }

    /** The tokenizer of a model directory described by {@link ModelDescriptor}. */
    public static ModelTokenizer fromDirectory(Path dir) {
        ModelDescriptor d = ModelDescriptor.read(dir);
        return load(dir.resolve(d.tokenizer()), d.maxTokens());
    }

    public static ModelTokenizer load(Path tokenizerJson, int maxTokens) {
        try {
            return new ModelTokenizer(HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optTruncation(false)
                    .optPadding(false)
                    .optAddSpecialTokens(false)
                    .build(), maxTokens);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson, e);
        }
    }

    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public int count(String text) {
        return tokenizer.encode(text, false, false).getIds().length;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
