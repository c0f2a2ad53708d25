package io.ragline.bench;

import io.ragline.devstack.FreePorts;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.core.Topics;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.json.Json;
import io.ragline.core.model.OnnxEmbedder;
import io.ragline.devstack.EmbeddedKafka;
import io.ragline.devstack.TopicSetup;
import io.ragline.embed.EmbedderNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Embedding throughput, stage by stage, on the same passages in one run: (a) the bare ONNX Runtime
 * session, (b) ragline's embedder (DJL), (c) the full worker path through a real Kafka broker.
 * The pipeline can never beat (a); the goal is (c)/(a) of at least 0.9.
 */
@Command(name = "embedding", mixinStandardHelpOptions = true,
        description = "Compare the embedding worker path with the bare ONNX model on the same passages.")
public final class EmbeddingBenchmark implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--passages", defaultValue = "160", description = "Passages per stage (default: ${DEFAULT-VALUE}).")
    int passages;

    @Option(names = "--words", defaultValue = "200", description = "Words per passage (default: ${DEFAULT-VALUE}).")
    int words;

    @Option(names = "--batch", defaultValue = "8", description = "Batch size in every stage (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--queries", defaultValue = "200", description = "Query embeddings timed (default: ${DEFAULT-VALUE}).")
    int queries;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EmbeddingBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("ragline-bench");
        List<String> texts = passages(passages, words, 42);
        System.out.printf("%d passages of %d words, batch %d, %d intra-op threads, %d cores, Java %s%n%n",
                passages, words, batch, threads, Runtime.getRuntime().availableProcessors(), Runtime.version());

        // DJL must create the ONNX Runtime environment first (it sets the thread pools)
        try (OnnxEmbedder embedder = OnnxEmbedder.bundled(work.resolve("model"), threads)) {
            warmUp(embedder, texts);
            double bare = bareOnnx(work.resolve("model"), texts, batch);
            // the embedder runs one passage per inference (see OnnxEmbedder): its like-for-like baseline
            double bareSingle = bareOnnx(work.resolve("model"), texts, 1);
            double djl = embedderOnly(embedder, texts);
            double worker = workerPath(work, embedder, texts);
            long[] latencies = queryLatencies(embedder);

            System.out.println("| stage                                   | passages/s | vs (a) | vs (a1) |");
            System.out.println("|-----------------------------------------|-----------:|-------:|--------:|");
            row("(a) bare ONNX Runtime, batches of " + batch, bare, bare, bareSingle);
            row("(a1) bare ONNX Runtime, one per run", bareSingle, bare, bareSingle);
            row("(b) embedder (DJL + ONNX Runtime)", djl, bare, bareSingle);
            row("(c) worker path via Kafka (end to end)", worker, bare, bareSingle);
            System.out.printf("%nquery embedding latency: p50 %.1f ms, p99 %.1f ms (%d short queries)%n",
                    latencies[latencies.length / 2] / 1e6, latencies[(int) (latencies.length * 0.99)] / 1e6, latencies.length);
        }
        return 0;
    }

    private static void row(String name, double rate, double baseline, double singleBaseline) {
        System.out.printf("| %-39s | %10.1f | %6.2f | %7.2f |%n", name, rate, rate / baseline, rate / singleBaseline);
    }

    private void warmUp(OnnxEmbedder embedder, List<String> texts) {
        embedder.embedPassages(texts.subList(0, Math.min(batch, texts.size())));
    }

    /** The raw model: tokenise, run the session, CLS-pool and normalise, with nothing around it. */
    private double bareOnnx(Path modelDir, List<String> texts, int batch) throws Exception {
        return bareOnnx(modelDir, texts, batch, threads);
    }

    /** Passages per second of the bare ONNX Runtime session (the model files under {@code modelDir}). */
    static double bareOnnx(Path modelDir, List<String> texts, int batch, int threads) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                     .optTokenizerPath(modelDir.resolve("bge-small-en-v1.5-q-tokenizer.json"))
                     .optMaxLength(512).optTruncation(true).optPadding(true).build()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(modelDir.resolve("bge-small-en-v1.5-q.onnx").toString(), options)) {
                runBare(env, session, tokenizer, texts.subList(0, batch)); // warm-up
                long start = System.nanoTime();
                for (int i = 0; i < texts.size(); i += batch) {
                    runBare(env, session, tokenizer, texts.subList(i, Math.min(texts.size(), i + batch)));
                }
                return texts.size() / ((System.nanoTime() - start) / 1e9);
            }
        }
    }

    private static float[][] runBare(OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer,
                                     List<String> batch) throws Exception {
        Encoding[] encodings = tokenizer.batchEncode(batch);
        int n = encodings.length;
        int len = encodings[0].getIds().length;
        long[][] ids = new long[n][];
        long[][] mask = new long[n][];
        long[][] types = new long[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = encodings[i].getIds();
            mask[i] = encodings[i].getAttentionMask();
            types[i] = encodings[i].getTypeIds();
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        for (String name : session.getInputNames()) {
            long[][] data = name.contains("mask") ? mask : name.contains("type") ? types : ids;
            inputs.put(name, OnnxTensor.createTensor(env, data));
        }
        try (OrtSession.Result result = session.run(inputs)) {
            float[][][] hidden = (float[][][]) result.get(0).getValue();
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) {
                float[] cls = hidden[i][0];
                double norm = 0;
                for (float v : cls) {
                    norm += v * v;
                }
                float inv = (float) (1 / Math.sqrt(norm));
                out[i] = new float[cls.length];
                for (int j = 0; j < cls.length; j++) {
                    out[i][j] = cls[j] * inv;
                }
            }
            return out;
        } finally {
            inputs.values().forEach(OnnxTensor::close);
            if (len < 0) {
                throw new AssertionError();
            }
        }
    }

    private double embedderOnly(OnnxEmbedder embedder, List<String> texts) {
        long start = System.nanoTime();
        for (int i = 0; i < texts.size(); i += batch) {
            embedder.embedPassages(texts.subList(i, Math.min(texts.size(), i + batch)));
        }
        return texts.size() / ((System.nanoTime() - start) / 1e9);
    }

    /** Produce every passage as a chunk, then wait until all their embeddings are committed. */
    private double workerPath(Path work, OnnxEmbedder embedder, List<String> texts) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), freePort(), freePort())) {
            TopicSetup.ensure(kafka.bootstrapServers(), 3, 1);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (EmbedderNode node = new EmbedderNode(kafka.bootstrapServers(), embedder, "bench", batch, registry);
                 KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(Map.of(
                         ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                         ConsumerConfig.GROUP_ID_CONFIG, "bench-reader",
                         ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                         ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 5),
                         new ByteArraySerializer(), new ByteArraySerializer())) {
                reader.subscribe(List.of(Topics.EMBEDDINGS));
                // steady state: the worker has joined its group and the reader its own before timing
                produce(producer, texts.subList(0, batch), "warmup");
                receive(reader, batch);
                long start = System.nanoTime();
                produce(producer, texts, "bench");
                receive(reader, texts.size());
                double rate = texts.size() / ((System.nanoTime() - start) / 1e9);
                var timer = registry.get(io.ragline.core.metrics.MetricNames.EMBEDDING_BATCH_LATENCY).timer();
                System.out.printf("worker transactions: %d, mean %.0f ms, %.1f passages/s inside transactions%n",
                        timer.count(), timer.mean(java.util.concurrent.TimeUnit.MILLISECONDS),
                        (texts.size() + batch) / timer.totalTime(java.util.concurrent.TimeUnit.SECONDS));
                return rate;
            }
        }
    }

    private static void produce(KafkaProducer<byte[], byte[]> producer, List<String> texts, String tenant) {
        for (int i = 0; i < texts.size(); i++) {
            String doc = "doc-" + (i % 24);
            ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, tenant, doc, 1, ChunkEvent.chunkId(tenant, doc, 1, i),
                    i, texts.size(), null, texts.get(i), null, "en", Map.of());
            producer.send(new ProducerRecord<>(Topics.CHUNKS, chunk.documentKey().getBytes(StandardCharsets.UTF_8),
                    Json.write(chunk)));
        }
        producer.flush();
    }

    private static void receive(KafkaConsumer<byte[], byte[]> reader, int count) {
        int received = 0;
        while (received < count) {
            received += reader.poll(Duration.ofMillis(20)).count();
        }
    }

    private long[] queryLatencies(OnnxEmbedder embedder) {
        String[] qs = {"how are versions activated", "what is a dead letter queue", "hybrid search with BM25",
                "rebuild the index from kafka", "embedding model throughput"};
        long[] out = new long[queries];
        for (int i = 0; i < queries; i++) {
            long start = System.nanoTime();
            embedder.embedQuery(qs[i % qs.length] + " " + i);
            out[i] = System.nanoTime() - start;
        }
        Arrays.sort(out);
        return out;
    }

    /** Deterministic English-like passages, so every stage and every run sees the same input. */
    static List<String> passages(int count, int words, long seed) {
        String[] vocabulary = ("the index stores every chunk of a document with its vector and its text so that search "
                + "can rank passages by words and by meaning kafka keeps the log of documents in order and the workers "
                + "embed each chunk once producers publish reports manuals tickets and notes about systems customers "
                + "releases incidents budgets policies teams and plans for the next quarter").split(" ");
        Random random = new Random(seed);
        List<String> out = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < words; w++) {
                sb.append(vocabulary[random.nextInt(vocabulary.length)]).append(w % 17 == 16 ? ". " : " ");
            }
            out.add(sb.toString().strip());
        }
        return out;
    }

    private static int freePort() throws java.io.IOException {
        return FreePorts.next();
    }
}
