package io.ragline.devstack.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.Topics;
import io.ragline.core.event.DocumentV1;
import io.ragline.core.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Runs a BEIR collection through the real pipeline: publishes the corpus to Kafka into a fresh
 * tenant, waits until every document is active, then asks the REST API every query in each mode.
 */
public final class Evaluation {
    public record ModeResult(String mode, double ndcg10, double recall100, double map100, double meanMillis) {
    }

    private final String bootstrapServers;
    private final URI api;
    private final String tenant;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String apiKey;
    private long refused;

    /** @param apiKey an admin key: the evaluation's tenant is a fresh one, which only admin keys may name */
    public Evaluation(String bootstrapServers, URI api, String tenant, String apiKey, PrintStream out) {
        this.apiKey = apiKey;
        this.bootstrapServers = bootstrapServers;
        this.api = api;
        this.tenant = tenant;
        this.out = out;
    }

    public List<ModeResult> run(BeirDataset data, List<String> modes, Duration indexTimeout) throws Exception {
        // a second back: the DLQ record keeps the producer's timestamp, which may trail this clock
        long since = System.currentTimeMillis() - 1000;
        publish(data);
        try (DeadLetters deadLetters = new DeadLetters(bootstrapServers, tenant, since)) {
            awaitIndexed(data.corpus().size(), indexTimeout, deadLetters);
        }
        List<ModeResult> results = new ArrayList<>();
        for (String mode : modes) {
            results.add(evaluate(data, mode));
        }
        if (truncatedQueries > 0) {
            out.printf("%d query text(s) longer than the API's 2,000-character limit were cut at a word boundary%n",
                    truncatedQueries / modes.size());
        }
        return results;
    }

    private void publish(BeirDataset data) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_DOCUMENT_RECORD_BYTES,
                ProducerConfig.LINGER_MS_CONFIG, 20), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (BeirDataset.Doc doc : data.corpus()) {
                DocumentV1 v1 = DocumentV1.upsert(tenant, doc.id(), doc.title(), doc.text(), "text/plain", "beir", Map.of());
                producer.send(new ProducerRecord<>(Topics.DOCUMENTS,
                        Topics.documentKey(tenant, doc.id()).getBytes(StandardCharsets.UTF_8), Json.write(v1)));
            }
            producer.flush();
        }
        out.printf("published %d documents into tenant '%s'%n", data.corpus().size(), tenant);
    }

    /** Waits until every document is settled: active, failed, or refused into the DLQ. */
    private void awaitIndexed(int expected, Duration timeout, DeadLetters deadLetters) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long lastReport = 0;
        while (true) {
            JsonNode docs = get("/v1/stats").path("documents");
            long active = docs.path("active").asLong();
            long failed = docs.path("failed").asLong();
            refused = deadLetters.refused();
            if (active + failed + refused >= expected) {
                out.printf("indexed %d documents (%d failed, %d refused into %s) in %.0f s%n", active, failed, refused,
                        Topics.DOCUMENTS_DLQ, (System.nanoTime() - start) / 1e9);
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + active + " of " + expected + " documents active (" + failed
                        + " failed, " + refused + " refused) after " + timeout);
            }
            if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(10)) {
                double elapsed = (System.nanoTime() - start) / 1e9;
                out.printf("  %d/%d active, %d pending, %d refused (%.1f documents/s)%n", active, expected,
                        docs.path("pending").asLong(), refused, active / Math.max(1, elapsed));
                lastReport = System.nanoTime();
            }
            TimeUnit.MILLISECONDS.sleep(500); // progress polling, not test synchronisation
        }
    }

    /** The documents of the last run that the ingest topology refused into the DLQ. */
    public long refused() {
        return refused;
    }

    private ModeResult evaluate(BeirDataset data, String mode) throws Exception {
        double ndcg = 0;
        double recall = 0;
        double map = 0;
        long nanos = 0;
        for (Map.Entry<String, String> query : data.queries().entrySet()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("query", fitQuery(query.getValue()));
            body.put("topK", 100);
            body.put("mode", mode);
            long start = System.nanoTime();
            JsonNode answer = post("/v1/search", Json.writeString(body));
            nanos += System.nanoTime() - start;
            List<String> ranking = answer.path("results").findValuesAsText("documentId");
            Map<String, Integer> relevant = data.qrels().get(query.getKey());
            ndcg += RankingMetrics.ndcg(ranking, relevant, 10);
            recall += RankingMetrics.recall(ranking, relevant, 100);
            map += RankingMetrics.averagePrecision(ranking, relevant, 100);
        }
        int n = data.queries().size();
        return new ModeResult(mode, ndcg / n, recall / n, map / n, nanos / 1e6 / n);
    }

    /** The API takes queries of at most 2,000 characters; longer ones are cut at a word boundary. */
    private String fitQuery(String query) {
        int limit = io.ragline.search.api.SearchRequest.MAX_QUERY_CHARS;
        if (query.length() <= limit) {
            return query;
        }
        truncatedQueries++;
        int cut = query.lastIndexOf(' ', limit);
        return query.substring(0, cut > 0 ? cut : limit);
    }

    private int truncatedQueries;

    public int truncatedQueries() {
        return truncatedQueries;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(api.resolve(path)).header("X-Ragline-Tenant", tenant)
                .header("Authorization", "Bearer " + apiKey).GET().build());
    }

    private JsonNode post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(api.resolve(path)).header("X-Ragline-Tenant", tenant)
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return Json.mapper().readTree(response.body());
    }

    public static void printTable(List<ModeResult> results, PrintStream out) {
        out.println();
        out.println("| mode    | nDCG@10 | Recall@100 | MAP@100 | mean query ms |");
        out.println("|---------|--------:|-----------:|--------:|--------------:|");
        for (ModeResult r : results) {
            out.printf("| %-7s | %7.4f | %10.4f | %7.4f | %13.1f |%n", r.mode(), r.ndcg10(), r.recall100(), r.map100(), r.meanMillis());
        }
    }
}
