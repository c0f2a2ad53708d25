package io.ragline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.chunk.TokenChunker;
import io.ragline.core.json.Json;
import io.ragline.core.model.ModelTokenizer;
import io.ragline.core.model.OnnxEmbedder;
import io.ragline.devstack.EmbeddedPlatform;
import io.ragline.devstack.PlatformSettings;
import io.ragline.devstack.eval.BeirDataset;
import io.ragline.devstack.eval.Evaluation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Ingestion throughput of the whole embedded platform (Kafka, the ingest topology, the embedding
 * worker, the lifecycle, the indexer) on a real collection, from the first record published to the
 * last document settled (ACTIVE, FAILED or refused into the DLQ), next to the bare ONNX model
 * embedding the same chunks on the same machine in the same run: the share of the model's speed the
 * pipeline keeps. Also the steady-state rate, the CPU each thread group spent during the load (the
 * model's share of it), and the Temporal workflows and history events the load cost.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Documents/s through the embedded platform against the bare ONNX model on the same chunks.")
public final class PipelineBenchmark implements Callable<Integer> {
    @Option(names = "--dataset", defaultValue = "../shared/datasets/cisi",
            description = "BEIR folder with corpus.jsonl, queries.jsonl, qrels.tsv (default: ${DEFAULT-VALUE}).")
    Path dataset;

    @Option(names = "--documents", defaultValue = "0",
            description = "Documents published: the first N of the corpus (default: the whole corpus).")
    int documents;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PipelineBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(dataset.resolve("corpus.jsonl"))) {
            System.err.println("no BEIR dataset at " + dataset.toAbsolutePath() + " (use --dataset)");
            return 2;
        }
        BeirDataset all = BeirDataset.load(dataset.resolve("corpus.jsonl"), dataset.resolve("queries.jsonl"),
                dataset.resolve("qrels.tsv"));
        int n = documents <= 0 ? all.corpus().size() : Math.min(documents, all.corpus().size());
        BeirDataset data = new BeirDataset(all.corpus().subList(0, n), all.queries(), all.qrels());
        Path work = Files.createTempDirectory("ragline-pipeline-bench");
        System.out.printf("%d documents of %s, %d cores, Java %s%n", data.corpus().size(), dataset.getFileName(),
                Runtime.getRuntime().availableProcessors(), Runtime.version());

        double seconds;
        double embeddedSeconds;
        long chunks;
        long refused;
        Map<String, Double> cpu;
        TemporalCounts.Counts temporal;
        List<long[]> settled = Collections.synchronizedList(new ArrayList<>());
        PlatformSettings settings = PlatformSettings.defaults(work.resolve("data")).withFreePorts();
        try (EmbeddedPlatform platform = EmbeddedPlatform.start(settings, System.out)) {
            URI api = URI.create("http://127.0.0.1:" + platform.httpPort());
            String key = platform.devApiKey();
            // when the last embedding was made, from the worker's counter: embedding versus the rest
            List<long[]> embedded = Collections.synchronizedList(new ArrayList<>());
            ThreadCpu cpuBefore = ThreadCpu.now();
            long start = System.nanoTime();
            Thread sampler = Thread.ofVirtual().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        long t = System.nanoTime();
                        embedded.add(new long[]{t, (long) embeddings(api)});
                        settled.add(new long[]{t, stats(api, key).path("documents").path("active").asLong()});
                        Thread.sleep(200); // sampling a counter, not synchronising
                    } catch (InterruptedException e) {
                        return;
                    } catch (IOException e) {
                        // the API is busy or not up yet: take the next sample
                    }
                }
            });
            Evaluation evaluation = new Evaluation(platform.bootstrapServers(), api, "bench", key, System.out);
            evaluation.run(data, List.of(), Duration.ofMinutes(60));
            seconds = (System.nanoTime() - start) / 1e9;
            cpu = ThreadCpu.now().since(cpuBefore);
            sampler.interrupt();
            sampler.join();
            refused = evaluation.refused();
            chunks = stats(api, key).path("chunks").asLong();
            long total = (long) embeddings(api);
            embeddedSeconds = embedded.stream().filter(x -> x[1] >= total).mapToLong(x -> x[0]).min()
                    .orElse(System.nanoTime()) / 1e9 - start / 1e9;
            for (long[] sample : settled) {
                sample[0] -= start;
            }
            temporal = TemporalCounts.read("127.0.0.1:" + settings.temporalPort(), "default");
        }
        int published = data.corpus().size();
        long activeDocuments = published - refused;

        // the same chunks as the topology makes them (its default chunker), embedded by the bare model
        List<String> passages = new ArrayList<>();
        Path model = work.resolve("data").resolve("models");
        try (OnnxEmbedder embedder = OnnxEmbedder.bundled(model, threads);
             ModelTokenizer tokenizer = ModelTokenizer.bundled(model)) {
            TokenChunker chunker = TokenChunker.forModel(tokenizer, embedder.maxTokens());
            for (BeirDataset.Doc doc : data.corpus()) {
                String title = chunker.fitTitle(doc.title());
                for (String chunk : chunker.chunk(doc.title(), doc.text().isBlank() ? doc.title() : doc.text())) {
                    passages.add(title == null || title.isBlank() ? chunk : title + "\n" + chunk);
                }
            }
        }
        double single = EmbeddingBenchmark.bareOnnx(model, passages, 1, threads);
        double batched = EmbeddingBenchmark.bareOnnx(model, passages, 8, threads);

        System.out.println();
        System.out.println("| stage | documents/s | chunks/s | vs bare, one per run |");
        System.out.println("|---|---:|---:|---:|");
        System.out.printf("| whole pipeline: publish → every document settled (%d documents, %d refused, %d chunks, %.1f s) | %.1f | %.1f | %.2f |%n",
                published, refused, chunks, seconds, published / seconds, chunks / seconds, chunks / seconds / single);
        Steady steady = steady(settled, activeDocuments);
        if (steady != null) {
            double chunksPerDocument = (double) chunks / Math.max(1, activeDocuments);
            System.out.printf("| steady state: %.0f %%→%.0f %% of the documents active (%.1f s → %.1f s) | %.1f | %.1f | %.2f |%n",
                    STEADY_FROM * 100, STEADY_TO * 100, steady.fromSeconds(), steady.toSeconds(), steady.perSecond(),
                    steady.perSecond() * chunksPerDocument, steady.perSecond() * chunksPerDocument / single);
        }
        System.out.printf("| first %d s after the first publish: documents active | %.1f | | |%n", FIRST_SECONDS,
                activeAt(settled, FIRST_SECONDS) / (double) FIRST_SECONDS);
        System.out.printf("| of which: publish → last chunk embedded (%.1f s) | %.1f | %.1f | %.2f |%n", embeddedSeconds,
                published / embeddedSeconds, chunks / embeddedSeconds, chunks / embeddedSeconds / single);
        System.out.printf("| bare ONNX Runtime, one passage per run (%d chunks) | %.1f | %.1f | 1.00 |%n", passages.size(),
                single * published / passages.size(), single);
        System.out.printf("| bare ONNX Runtime, padded batches of 8 | %.1f | %.1f | %.2f |%n",
                batched * published / passages.size(), batched, batched / single);

        double cpuTotal = ThreadCpu.total(cpu);
        double modelCpu = ThreadCpu.matching(cpu, PipelineBenchmark::modelThread);
        System.out.println();
        System.out.printf("CPU during the load: %.1f s of %.1f s × %d cores (%.0f %%); the model's threads %.1f s (%.0f %% of the CPU used)%n",
                cpuTotal, seconds, Runtime.getRuntime().availableProcessors(),
                100 * cpuTotal / (seconds * Runtime.getRuntime().availableProcessors()), modelCpu, 100 * modelCpu / cpuTotal);
        System.out.println();
        System.out.println("| thread group | CPU s | share |");
        System.out.println("|---|---:|---:|");
        cpu.entrySet().stream().limit(TOP_THREAD_GROUPS).forEach(e -> System.out.printf("| %s%s | %.1f | %.0f %% |%n",
                e.getKey(), modelThread(e.getKey()) ? " (model)" : "", e.getValue(), 100 * e.getValue() / cpuTotal));

        System.out.println();
        System.out.printf("Temporal: %d workflows, %d history events; per 1,000 documents %.0f workflows, %.0f events%n",
                temporal.workflows(), temporal.historyEvents(), 1000.0 * temporal.workflows() / published,
                1000.0 * temporal.historyEvents() / published);
        temporal.workflowsByType().forEach((type, count) -> System.out.printf("  %s: %d%n", type, count));
        return 0;
    }

    private static final double STEADY_FROM = 0.1;
    private static final double STEADY_TO = 0.9;
    private static final int FIRST_SECONDS = 20;
    private static final int TOP_THREAD_GROUPS = 12;

    /**
     * The threads that run the model: the embedding worker, which calls ONNX Runtime and takes part
     * in its intra-op work, and the pool threads ONNX Runtime starts, which are not Java threads and
     * so keep the name of the thread that created the session (the platform's starter, "main" here:
     * the kernel shows it as the process name, "java").
     */
    private static boolean modelThread(String group) {
        return group.startsWith("ragline-embeddi") || group.equals("java");
    }

    private record Steady(double fromSeconds, double toSeconds, double perSecond) {
    }

    /** Documents/s between the samples where STEADY_FROM and STEADY_TO of them were active. */
    private static Steady steady(List<long[]> samples, long expected) {
        long[] from = first(samples, (long) Math.ceil(expected * STEADY_FROM));
        long[] to = first(samples, (long) Math.ceil(expected * STEADY_TO));
        if (from == null || to == null || to[0] <= from[0]) {
            return null;
        }
        return new Steady(from[0] / 1e9, to[0] / 1e9, (to[1] - from[1]) / ((to[0] - from[0]) / 1e9));
    }

    private static long[] first(List<long[]> samples, long active) {
        synchronized (samples) {
            return samples.stream().filter(s -> s[1] >= active).findFirst().orElse(null);
        }
    }

    private static long activeAt(List<long[]> samples, int seconds) {
        synchronized (samples) {
            return samples.stream().filter(s -> s[0] <= seconds * 1_000_000_000L).mapToLong(s -> s[1]).max().orElse(0);
        }
    }

    private static JsonNode stats(URI api, String key) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(api.resolve("/v1/stats"))
                .header("Authorization", "Bearer " + key).header("X-Ragline-Tenant", "bench").build(),
                HttpResponse.BodyHandlers.ofString());
        return Json.mapper().readTree(response.body());
    }

    /** The embedding worker's counter of embedded chunks, from the API's Prometheus page. */
    private static double embeddings(URI api) throws IOException, InterruptedException {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(api.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("ragline_embeddings_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

}
