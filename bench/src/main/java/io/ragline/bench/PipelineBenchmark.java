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
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Ingestion throughput of the whole embedded platform (Kafka, the ingest topology, the embedding
 * worker, the lifecycle workflows, the indexer) on a real collection, from the first record
 * published to the last document ACTIVE, next to the bare ONNX model embedding the same chunks
 * on the same machine in the same run: the share of the model's speed the pipeline keeps.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Documents/s through the embedded platform against the bare ONNX model on the same chunks.")
public final class PipelineBenchmark implements Callable<Integer> {
    @Option(names = "--dataset", defaultValue = "../shared/datasets/cisi",
            description = "BEIR folder with corpus.jsonl, queries.jsonl, qrels.tsv (default: ${DEFAULT-VALUE}).")
    Path dataset;

    @Option(names = "--documents", defaultValue = "600", description = "Documents published, at most the corpus (default: ${DEFAULT-VALUE}).")
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
        BeirDataset data = new BeirDataset(all.corpus().subList(0, Math.min(documents, all.corpus().size())),
                all.queries(), all.qrels());
        Path work = Files.createTempDirectory("ragline-pipeline-bench");
        System.out.printf("%d documents of %s, %d cores, Java %s%n", data.corpus().size(), dataset.getFileName(),
                Runtime.getRuntime().availableProcessors(), Runtime.version());

        double seconds;
        double embeddedSeconds;
        long chunks;
        PlatformSettings settings = PlatformSettings.defaults(work.resolve("data")).withFreePorts();
        try (EmbeddedPlatform platform = EmbeddedPlatform.start(settings, System.out)) {
            URI api = URI.create("http://127.0.0.1:" + platform.httpPort());
            // when the last embedding was made, from the worker's counter: embedding versus the rest
            List<long[]> embedded = java.util.Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            Thread sampler = Thread.ofVirtual().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        embedded.add(new long[]{System.nanoTime(), (long) embeddings(api)});
                        Thread.sleep(200); // sampling a counter, not synchronising
                    } catch (InterruptedException e) {
                        return;
                    } catch (IOException e) {
                        // the API is busy or not up yet: take the next sample
                    }
                }
            });
            new Evaluation(platform.bootstrapServers(), api, "bench", platform.devApiKey(), System.out)
                    .run(data, List.of(), Duration.ofMinutes(30));
            seconds = (System.nanoTime() - start) / 1e9;
            sampler.interrupt();
            sampler.join();
            chunks = stats(api, platform.devApiKey()).path("chunks").asLong();
            long total = (long) embeddings(api);
            embeddedSeconds = embedded.stream().filter(x -> x[1] >= total).mapToLong(x -> x[0]).min()
                    .orElse(System.nanoTime()) / 1e9 - start / 1e9;
        }

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
        System.out.printf("| whole pipeline: publish → every document ACTIVE (%d documents, %d chunks, %.1f s) | %.1f | %.1f | %.2f |%n",
                data.corpus().size(), chunks, seconds, data.corpus().size() / seconds, chunks / seconds, chunks / seconds / single);
        System.out.printf("| of which: publish → last chunk embedded (%.1f s) | %.1f | %.1f | %.2f |%n", embeddedSeconds,
                data.corpus().size() / embeddedSeconds, chunks / embeddedSeconds, chunks / embeddedSeconds / single);
        System.out.printf("| bare ONNX Runtime, one passage per run (%d chunks) | %.1f | %.1f | 1.00 |%n", passages.size(),
                single * data.corpus().size() / passages.size(), single);
        System.out.printf("| bare ONNX Runtime, padded batches of 8 | %.1f | %.1f | %.2f |%n",
                batched * data.corpus().size() / passages.size(), batched, batched / single);
        return 0;
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
