package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.Topics;
import io.ragline.core.event.DlqRecord;
import io.ragline.core.event.DocumentV1;
import io.ragline.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton end to end: the real broker, Temporal test server, PostgreSQL, embedding
 * model and Lucene index in one JVM, driven only through Kafka and HTTP as users would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedPlatformTest {
    private static final int DOCUMENTS = 20;
    private static final Duration SETTLE = Duration.ofMinutes(3);

    /** Static: shared by both tests, so the second starts on the first one's data. */
    @TempDir
    static Path tempDir;

    private EmbeddedPlatform platform;

    @AfterAll
    void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    private EmbeddedPlatform startPlatform() throws IOException {
        PlatformSettings settings = PlatformSettings.defaults(tempDir.resolve("data")).withFreePorts();
        return EmbeddedPlatform.start(settings, System.out);
    }

    @Test
    @Order(1)
    void publishedDocumentsBecomeSearchableOnceAndBadRecordsGoToTheDlq() throws Exception {
        platform = startPlatform();
        try (PlatformClient client = new PlatformClient(platform.bootstrapServers(), platform.httpPort(), platform.devApiKey())) {
            // records only a bug or a stray producer would write: the indexer skips them and goes on
            publishGarbage(Topics.EMBEDDINGS);
            publishGarbage(Topics.DOCUMENT_STATE);
            for (int i = 0; i < DOCUMENTS; i++) {
                client.publish(document(i));
            }
            client.publishRaw("default/broken", "{not json".getBytes(StandardCharsets.UTF_8));
            // larger than Kafka's 1 MB default and than the 10 MB text limit: the broker takes it, the DLQ keeps it
            String huge = "word ".repeat(12 * 1024 * 1024 / 5);
            client.publish(DocumentV1.upsert("default", "huge", "Huge", huge, "text/plain", "test", Map.of()));

            await().atMost(SETTLE).untilAsserted(() -> {
                JsonNode stats = client.get("/v1/stats");
                assertThat(stats.path("documents").path("active").asLong()).isEqualTo(DOCUMENTS);
                assertThat(stats.path("documents").path("pending").asLong()).isZero();
                assertThat(stats.path("dlq").asLong()).isEqualTo(2);
            });
            assertThat(dlqReasons()).containsEntry("default/huge", "TEXT_TOO_LARGE").containsEntry("default/broken", "INVALID_JSON");
            // how long each activation took to become searchable here (the aim is under a second)
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + platform.httpPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            double activations = sample(metrics, "ragline_indexer_activation_lag_seconds_count");
            System.out.printf("activation to searchable: %.0f versions, mean %.3f s, max %.3f s%n", activations,
                    sample(metrics, "ragline_indexer_activation_lag_seconds_sum") / activations,
                    sample(metrics, "ragline_indexer_activation_lag_seconds_max"));
            assertThat(activations).isGreaterThanOrEqualTo(DOCUMENTS);
            assertThat(metrics).contains("ragline_indexer_skipped_total{topic=\"ragline.embeddings\"} 1.0")
                    .contains("ragline_indexer_skipped_total{topic=\"ragline.document-state\"} 1.0");
            assertThat(client.get("/health/ready").path("status").asText()).isEqualTo("UP");
            long chunks = client.get("/v1/stats").path("chunks").asLong();
            assertThat(chunks).isGreaterThanOrEqualTo(DOCUMENTS);

            // a phrase only document 7 contains ranks it first (hybrid and keyword), near the top (vector)
            for (String mode : List.of("hybrid", "keyword")) {
                PlatformClient.Response response = client.search(uniquePhrase(7), 5, mode);
                assertThat(response.status()).as(mode).isEqualTo(200);
                assertThat(response.body().path("results").get(0).path("documentId").asText()).as(mode)
                        .isEqualTo(id(7));
            }
            JsonNode semantic = client.search(uniquePhrase(7), 3, "vector").body().path("results");
            assertThat(semantic.findValuesAsText("documentId")).contains(id(7));

            // tags and the document's own timestamp travel from the producer to the search filters
            JsonNode filtered = client.post("/v1/search", Json.writeString(Map.of("query", "expedition valley", "topK", 100,
                    "filters", Map.of("tags", List.of("odd"), "timestamp", Map.of("lte", "2025-01-08T00:00:00Z"))))).body();
            assertThat(filtered.path("results").findValuesAsText("documentId"))
                    .containsExactlyInAnyOrder(id(1), id(3), id(5), id(7));

            // publishing it again unchanged is a no-op: same version, same chunk count
            RecordMetadata again = client.publish(document(7));
            awaitIngestCommitted(again);
            JsonNode doc = client.get("/v1/documents/" + id(7));
            assertThat(doc.path("status").asText()).isEqualTo("ACTIVE");
            assertThat(doc.path("version").asLong()).isEqualTo(1);
            assertThat(doc.path("activeVersion").asLong()).isEqualTo(1);
            assertThat(client.get("/v1/stats").path("chunks").asLong()).isEqualTo(chunks);
            assertThat(platform.index().activeChunks()).isEqualTo(chunks);
        }
    }

    @Test
    @Order(2)
    void aRestartOnTheSameDataDirectoryKeepsWhatWasIndexed() throws Exception {
        platform.close();
        platform = startPlatform();
        try (PlatformClient client = new PlatformClient(platform.bootstrapServers(), platform.httpPort(), platform.devApiKey())) {
            JsonNode stats = client.get("/v1/stats");
            assertThat(stats.path("documents").path("active").asLong()).isEqualTo(DOCUMENTS);
            PlatformClient.Response response = client.search(uniquePhrase(13), 3, "hybrid");
            assertThat(response.body().path("results").get(0).path("documentId").asText()).isEqualTo(id(13));

            // and it keeps ingesting: an update replaces version 1 with version 2
            client.publish(DocumentV1.upsert("default", id(13), "Note 13, revised",
                    "The revised note mentions a heliotrope lighthouse instead.", "text/plain", "test", Map.of()));
            await().atMost(SETTLE).untilAsserted(() ->
                    assertThat(client.get("/v1/documents/" + id(13)).path("activeVersion").asLong()).isEqualTo(2));
            JsonNode hit = client.search("heliotrope lighthouse", 3, "hybrid").body().path("results").get(0);
            assertThat(hit.path("documentId").asText()).isEqualTo(id(13));
            assertThat(hit.path("version").asLong()).isEqualTo(2);
            JsonNode old = client.search(uniquePhrase(13), 10, "keyword").body().path("results");
            assertThat(old.findValuesAsText("chunkId")).noneMatch(c -> c.contains(id(13) + "#1#"));
        }
    }

    private void publishGarbage(String topic) throws Exception {
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(Map.of(
                "bootstrap.servers", platform.bootstrapServers()),
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic,
                    "default/garbage".getBytes(StandardCharsets.UTF_8), "{not json".getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    /** The value of an untagged sample in Prometheus text format. */
    private static double sample(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + name + " in /metrics"));
    }

    /** Key → reason header of every record on the DLQ. */
    private Map<String, String> dlqReasons() {
        Map<String, String> reasons = new java.util.HashMap<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(Map.of(
                "bootstrap.servers", platform.bootstrapServers(), "isolation.level", "read_committed",
                "max.partition.fetch.bytes", Topics.MAX_DLQ_RECORD_BYTES),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DOCUMENTS_DLQ).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(SETTLE).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> reasons.put(r.key(), new String(
                        r.headers().lastHeader(DlqRecord.REASON_HEADER).value(), StandardCharsets.UTF_8)));
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
        }
        return reasons;
    }

    /** Waits until the ingest topology has committed past a record: it has been processed. */
    private void awaitIngestCommitted(RecordMetadata record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()))) {
            await().atMost(SETTLE).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin
                        .listConsumerGroupOffsets(EmbeddedPlatform.INGEST_APPLICATION_ID)
                        .partitionsToOffsetAndMetadata().get();
                assertThat(offsets.get(tp)).isNotNull();
                assertThat(offsets.get(tp).offset()).isGreaterThan(record.offset());
            });
        }
    }

    private static final String[] WORDS = {"amber", "basalt", "cobalt", "dahlia", "ember", "fjord", "garnet",
            "harbor", "indigo", "juniper", "kestrel", "lantern", "meadow", "nectar", "obsidian", "pewter",
            "quartz", "russet", "saffron", "tundra"};

    private static String id(int i) {
        return String.format("note-%02d.txt", i);
    }

    private static final String[] ANIMALS = {"axolotl", "bison", "caracal", "dugong", "egret", "ferret", "gecko",
            "hoopoe", "ibex", "jackal", "koala", "lemur", "marmot", "narwhal", "ocelot", "pangolin", "quokka",
            "raccoon", "stoat", "tapir"};

    /** Two words that appear in exactly one document. */
    private static String uniquePhrase(int i) {
        return WORDS[i] + " " + ANIMALS[i];
    }

    private static DocumentV1 document(int i) {
        String text = "Field note " + i + ". The " + uniquePhrase(i) + " expedition reached the valley at dawn. "
                + "Everyone wrote down what they saw, and the archive kept a copy of each report.";
        return DocumentV1.upsert("default", id(i), "Note " + i, text, "text/plain", "test", Map.of("n", i))
                .withTags(List.of(i % 2 == 0 ? "even" : "odd"))
                .withTimestamp(java.time.Instant.parse("2025-01-01T00:00:00Z").plus(Duration.ofDays(i)));
    }

}
