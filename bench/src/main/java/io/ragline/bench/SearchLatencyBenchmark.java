package io.ragline.bench;

import io.ragline.devstack.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ragline.core.chunk.TokenChunker;
import io.ragline.core.json.Json;
import io.ragline.core.model.ModelTokenizer;
import io.ragline.core.model.OnnxEmbedder;
import io.ragline.core.store.ApiKey;
import io.ragline.core.store.ApiKeyStore;
import io.ragline.core.store.Database;
import io.ragline.core.store.MetadataStore;
import io.ragline.devstack.EmbeddedPostgres;
import io.ragline.devstack.eval.BeirDataset;
import io.ragline.core.validation.DocumentLimits;
import io.ragline.search.api.SearchApi;
import io.ragline.search.api.SearchRequest;
import io.ragline.search.ingest.DocumentPublisher;
import io.ragline.search.index.Fusion;
import io.ragline.search.index.LuceneIndex;
import io.ragline.search.service.SearchService;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Search latency under load on an index of at least 100,000 chunks, split into query embedding,
 * retrieval and HTTP overhead (from the server's {@code Server-Timing} header), next to the bare
 * Lucene query time on the same index in the same run.
 *
 * <p>The corpus: CISI's documents chunked with the model's tokenizer and embedded by the real model
 * (cached between runs), then synthetic chunks up to the target count, each the halves of two real
 * chunks with the normalised mean of their vectors plus noise. Embedding 100,000 real passages would
 * take most of an hour on two cores and says nothing more about query latency; the synthetic chunks
 * keep the vocabulary and the vector distribution of the real ones.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "p50/p99 search latency at 1, 8 and 32 clients on >= 100,000 chunks, against bare Lucene.")
public final class SearchLatencyBenchmark implements Callable<Integer> {
    private static final String TENANT = "bench";
    private static final int CHUNKS_PER_DOCUMENT = 4;

    @Option(names = "--dataset", defaultValue = "../shared/datasets/cisi",
            description = "BEIR folder with corpus.jsonl, queries.jsonl, qrels.tsv (default: ${DEFAULT-VALUE}).")
    Path dataset;

    @Option(names = "--chunks", defaultValue = "100000", description = "Chunks in the index (default: ${DEFAULT-VALUE}).")
    int chunks;

    @Option(names = "--clients", split = ",", defaultValue = "1,8,32",
            description = "Concurrent clients per round (default: ${DEFAULT-VALUE}).")
    int[] clients;

    @Option(names = "--requests", defaultValue = "640", description = "Timed requests per round (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--mode", defaultValue = "hybrid", description = "hybrid, keyword or vector (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--top-k", defaultValue = "10", description = "Results per query (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--work-dir", defaultValue = "bench/target/search-bench",
            description = "Model cache, vector cache, index and database (default: ${DEFAULT-VALUE}).")
    Path workDir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SearchLatencyBenchmark()).execute(args));
    }

    /** One chunk of the benchmark corpus. */
    record BenchChunk(String documentId, int seq, String title, String text, float[] vector) {
    }

    /** One timed request: client-side total and the server's own split, in nanoseconds. */
    record Sample(long totalNanos, long embedNanos, long retrieveNanos) {
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(dataset.resolve("corpus.jsonl"))) {
            System.err.println("no BEIR dataset at " + dataset.toAbsolutePath() + " (use --dataset)");
            return 2;
        }
        Files.createDirectories(workDir);
        BeirDataset data = BeirDataset.load(dataset.resolve("corpus.jsonl"), dataset.resolve("queries.jsonl"),
                dataset.resolve("qrels.tsv"));
        // the API refuses queries over its limit (one CISI query is longer): cut them there
        List<String> queries = data.queries().values().stream()
                .map(q -> q.length() > SearchRequest.MAX_QUERY_CHARS ? q.substring(0, SearchRequest.MAX_QUERY_CHARS) : q)
                .toList();
        System.out.printf("%d cores, Java %s, target %,d chunks, %d queries, mode %s, topK %d%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), chunks, queries.size(), mode, topK);

        try (OnnxEmbedder embedder = OnnxEmbedder.bundled(workDir.resolve("model"), threads)) {
            List<BenchChunk> real = realChunks(data, embedder);
            List<BenchChunk> corpus = withSynthetic(real, chunks, new Random(7));
            Path indexDir = workDir.resolve("index-" + corpus.size());
            buildIndex(indexDir, corpus, embedder.modelId());

            List<float[]> queryVectors = new ArrayList<>();
            for (String q : queries) {
                queryVectors.add(embedder.embedQuery(q));
            }
            List<long[]> bare = new ArrayList<>();
            for (int c : clients) {
                bare.add(bareLucene(indexDir, queries, queryVectors, c));
            }
            List<List<Sample>> api = throughApi(indexDir, embedder, queries);

            System.out.println();
            System.out.printf("index: %,d chunks (%,d embedded by the model, the rest synthetic), %s HNSW%n",
                    corpus.size(), real.size(), LuceneIndex.VectorFormat.INT8);
            System.out.println("| clients | HTTP p50 / p99 ms | embedding p50 / p99 | retrieval p50 / p99 | HTTP overhead p50 / p99 | bare Lucene p50 / p99 | req/s |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
            for (int i = 0; i < clients.length; i++) {
                List<Sample> s = api.get(i);
                long wall = s.stream().mapToLong(Sample::totalNanos).sum() / clients[i];
                System.out.printf("| %d | %s | %s | %s | %s | %s | %.0f |%n", clients[i],
                        p(s.stream().mapToLong(Sample::totalNanos).toArray()),
                        p(s.stream().mapToLong(Sample::embedNanos).toArray()),
                        p(s.stream().mapToLong(Sample::retrieveNanos).toArray()),
                        p(s.stream().mapToLong(x -> Math.max(0, x.totalNanos() - x.embedNanos() - x.retrieveNanos())).toArray()),
                        p(bare.get(i)), s.size() / (wall / 1e9));
            }
            System.out.println();
            System.out.println("bare Lucene: the same BM25 and kNN (k=50) queries on a plain IndexSearcher over the same");
            System.out.println("index, query vectors computed beforehand; no tenant/active filters, fusion, stored fields or HTTP.");
        }
        return 0;
    }

    private static String p(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("%.1f / %.1f", sorted[(int) (sorted.length * 0.50)] / 1e6,
                sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e6);
    }

    /** CISI chunked by the model's tokenizer and embedded by the model; vectors cached on disk. */
    private List<BenchChunk> realChunks(BeirDataset data, OnnxEmbedder embedder) throws IOException {
        List<BenchChunk> out = new ArrayList<>();
        try (ModelTokenizer tokenizer = ModelTokenizer.bundled(workDir.resolve("model"))) {
            TokenChunker chunker = TokenChunker.forModel(tokenizer, embedder.maxTokens());
            for (BeirDataset.Doc doc : data.corpus()) {
                List<String> parts = chunker.chunk(doc.title(), doc.text().isBlank() ? doc.title() : doc.text());
                for (int i = 0; i < parts.size(); i++) {
                    out.add(new BenchChunk(doc.id(), i, doc.title(), parts.get(i), null));
                }
            }
        }
        Path cache = workDir.resolve("vectors-" + out.size() + "-" + embedder.modelId() + ".bin");
        List<float[]> vectors = Files.exists(cache) ? readVectors(cache) : null;
        if (vectors == null || vectors.size() != out.size()) {
            vectors = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < out.size(); i += 8) {
                List<String> batch = new ArrayList<>();
                for (BenchChunk c : out.subList(i, Math.min(out.size(), i + 8))) {
                    batch.add(c.title() + "\n" + c.text());
                }
                vectors.addAll(embedder.embedPassages(batch));
                if ((i / 8) % 25 == 0) {
                    System.out.printf("embedding CISI chunks: %d/%d (%.0f/s)%n", vectors.size(), out.size(),
                            vectors.size() / ((System.nanoTime() - start) / 1e9));
                }
            }
            writeVectors(cache, vectors);
        }
        List<BenchChunk> embedded = new ArrayList<>(out.size());
        for (int i = 0; i < out.size(); i++) {
            BenchChunk c = out.get(i);
            embedded.add(new BenchChunk(c.documentId(), c.seq(), c.title(), c.text(), vectors.get(i)));
        }
        return embedded;
    }

    /** Real chunks plus synthetic ones (halves of two real chunks, mean vector plus noise), grouped into documents. */
    static List<BenchChunk> withSynthetic(List<BenchChunk> real, int target, Random random) {
        List<BenchChunk> out = new ArrayList<>(Math.max(target, real.size()));
        out.addAll(real);
        int dimension = real.getFirst().vector().length;
        for (int n = 0; out.size() < target; n++) {
            BenchChunk a = real.get(random.nextInt(real.size()));
            BenchChunk b = real.get(random.nextInt(real.size()));
            String[] wa = a.text().split("\\s+");
            String[] wb = b.text().split("\\s+");
            String text = String.join(" ", Arrays.copyOfRange(wa, 0, wa.length / 2)) + " "
                    + String.join(" ", Arrays.copyOfRange(wb, wb.length / 2, wb.length));
            float[] v = new float[dimension];
            double norm = 0;
            for (int i = 0; i < dimension; i++) {
                v[i] = (float) (0.5 * a.vector()[i] + 0.5 * b.vector()[i] + random.nextGaussian() * 0.01);
                norm += v[i] * v[i];
            }
            for (int i = 0; i < dimension; i++) {
                v[i] /= (float) Math.sqrt(norm);
            }
            out.add(new BenchChunk("syn-" + (n / CHUNKS_PER_DOCUMENT), n % CHUNKS_PER_DOCUMENT, a.title(), text, v));
        }
        return out;
    }

    private static void buildIndex(Path dir, List<BenchChunk> corpus, String model) throws IOException {
        if (Files.exists(dir.resolve("ready"))) {
            System.out.println("reusing the index at " + dir);
            return;
        }
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        long start = System.nanoTime();
        try (LuceneIndex index = new LuceneIndex(dir)) {
            BenchIndexWriter writer = new BenchIndexWriter(index, TENANT, model);
            for (int i = 0; i < corpus.size(); i++) {
                writer.add(corpus.get(i));
                if ((i + 1) % 20_000 == 0) {
                    System.out.printf("indexed %,d/%,d chunks (%.0f/s)%n", i + 1, corpus.size(),
                            (i + 1) / ((System.nanoTime() - start) / 1e9));
                }
            }
            writer.activateAll();
            index.refresh();
            index.commit(Map.of());
            System.out.printf("index built: %,d active chunks in %.1f s%n", index.activeChunks(),
                    (System.nanoTime() - start) / 1e9);
        }
        Files.writeString(dir.resolve("ready"), "");
    }

    /** The plain Lucene cost of what a hybrid search asks of the index: one BM25 and one kNN query. */
    private long[] bareLucene(Path dir, List<String> queries, List<float[]> vectors, int concurrency) throws Exception {
        try (FSDirectory directory = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(directory);
             EnglishAnalyzer analyzer = new EnglishAnalyzer()) {
            IndexSearcher searcher = new IndexSearcher(reader);
            List<org.apache.lucene.search.Query> keyword = new ArrayList<>();
            for (String q : queries) {
                BooleanQuery.Builder b = new BooleanQuery.Builder();
                try (TokenStream stream = analyzer.tokenStream("text", q)) {
                    CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
                    stream.reset();
                    while (stream.incrementToken()) {
                        b.add(new TermQuery(new Term("text", term.toString())), BooleanClause.Occur.SHOULD);
                    }
                    stream.end();
                }
                keyword.add(b.build());
            }
            boolean doKeyword = !mode.equals("vector");
            boolean doVector = !mode.equals("keyword");
            return runClients(concurrency, i -> {
                int q = i % queries.size();
                long start = System.nanoTime();
                if (doKeyword) {
                    searcher.search(keyword.get(q), 50);
                }
                if (doVector) {
                    searcher.search(new KnnFloatVectorQuery("vector", vectors.get(q), 50), 50);
                }
                return System.nanoTime() - start;
            });
        }
    }

    private interface Timed {
        long run(int i) throws Exception;
    }

    /** {@code requests} calls spread over {@code concurrency} threads, after a warm-up; returns each call's result. */
    private long[] runClients(int concurrency, Timed call) throws Exception {
        for (int i = 0; i < Math.min(100, requests); i++) {
            call.run(i);
        }
        long[] out = new long[requests];
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < concurrency; t++) {
                running.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < requests; ) {
                        out[i] = call.run(i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        return out;
    }

    /** Starts PostgreSQL and the real search API over the index; one round per client count. */
    private List<List<Sample>> throughApi(Path indexDir, OnnxEmbedder embedder, List<String> queries) throws Exception {
        int pgPort = freePort();
        Path pgDir = workDir.resolve("postgres");
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(pgDir, pgPort);
             var database = Database.open(pg.jdbcUrl(), pg.user(), pg.password(), 8);
             LuceneIndex index = new LuceneIndex(indexDir)) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ApiKeyStore keys = new ApiKeyStore(database);
            String key = keys.create(TENANT, "bench-" + System.currentTimeMillis(), EnumSet.of(ApiKey.Scope.search),
                    100_000_000).plaintext();
            try (SearchApi api = new SearchApi(new SearchService(index, embedder, Fusion.defaults(), registry),
                    new MetadataStore(database), keys, index, () -> 0, () -> true, registry,
                    // searches never publish: the producer stays unconnected
                    new DocumentPublisher("127.0.0.1:1", 1024), DocumentLimits.defaults()).start("127.0.0.1", 0)) {
                URI uri = URI.create("http://127.0.0.1:" + api.port() + "/v1/search");
                HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
                List<List<Sample>> rounds = new ArrayList<>();
                for (int c : clients) {
                    Sample[] samples = new Sample[requests];
                    long[] ignored = runClients(c, i -> {
                        String body = Json.writeString(Map.of("query", queries.get(i % queries.size()), "topK", topK, "mode", mode));
                        long start = System.nanoTime();
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        long total = System.nanoTime() - start;
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException("search answered " + response.statusCode() + ": " + response.body());
                        }
                        JsonNode results = Json.mapper().readTree(response.body()).path("results");
                        if (!results.isArray()) {
                            throw new IllegalStateException("no results array in " + response.body());
                        }
                        Map<String, Double> timing = serverTiming(response.headers().firstValue("Server-Timing").orElse(""));
                        samples[i % requests] = new Sample(total, (long) (timing.getOrDefault("embed", 0.0) * 1e6),
                                (long) (timing.getOrDefault("retrieve", 0.0) * 1e6));
                        return total;
                    });
                    rounds.add(List.of(samples));
                    System.out.printf("API round with %d clients done%n", c);
                }
                return rounds;
            }
        }
    }

    /** Parses {@code Server-Timing: embed;dur=3.1, retrieve;dur=4.2} into name → milliseconds. */
    static Map<String, Double> serverTiming(String header) {
        Map<String, Double> out = new java.util.HashMap<>();
        for (String metric : header.split(",")) {
            String[] parts = metric.strip().split(";");
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                if (p.startsWith("dur=")) {
                    out.put(parts[0].strip(), Double.parseDouble(p.substring(4)));
                }
            }
        }
        return out;
    }

    private static int freePort() throws IOException {
        return FreePorts.next();
    }

    private static List<float[]> readVectors(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            int d = in.readInt();
            List<float[]> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                float[] v = new float[d];
                for (int j = 0; j < d; j++) {
                    v[j] = in.readFloat();
                }
                out.add(v);
            }
            return out;
        }
    }

    private static void writeVectors(Path file, List<float[]> vectors) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(vectors.size());
            out.writeInt(vectors.getFirst().length);
            for (float[] v : vectors) {
                for (float x : v) {
                    out.writeFloat(x);
                }
            }
        }
    }
}
