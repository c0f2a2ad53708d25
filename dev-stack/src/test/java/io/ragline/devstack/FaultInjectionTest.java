package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.Topics;
import io.ragline.core.event.DlqReason;
import io.ragline.core.event.DlqRecord;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.DocumentV1;
import io.ragline.core.json.Json;
import io.ragline.core.metrics.MetricNames;
import io.ragline.core.store.DocumentRecord;
import io.ragline.core.store.MetadataStore;
import io.ragline.embed.EmbeddingWorkerConfig;
import io.ragline.search.index.LuceneIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #3 on the real embedded platform (broker, model, Lucene, Temporal, PostgreSQL): 600
 * documents of which 40 are invalid, then 80 new versions and 40 deletes, while the embedding
 * worker and the indexer each crash twice mid-stream and are started again. Once settled, every
 * document serves exactly its last version, deletes left nothing, and the DLQ holds exactly the
 * invalid records with their reasons (DESIGN.md invariants 1, 2, 3 and 6).
 */
class FaultInjectionTest {
    private static final int PUBLISHED = 600;
    private static final int INVALID = 40;
    private static final int VALID = PUBLISHED - INVALID;
    private static final int UPDATED = 80;
    /** Valid documents [60, 100) are deleted: [60, 80) after their new version, [80, 100) straight away. */
    private static final int FIRST_DELETED = 60;
    private static final int DELETED = 40;
    /** Every 40th document is long enough for two chunks. */
    private static final int LONG_EVERY = 40;
    private static final Duration SETTLE = Duration.ofMinutes(8);
    private static final String TENANT = "default";

    @TempDir
    Path dir;

    @Test
    void crashesMidStreamLoseNothingDuplicateNothingAndMixNoVersions() throws Exception {
        PlatformSettings settings = PlatformSettings.defaults(dir.resolve("data")).withFreePorts();
        try (EmbeddedPlatform platform = EmbeddedPlatform.start(settings, System.out);
             PlatformClient client = new PlatformClient(platform.bootstrapServers(), platform.httpPort(), platform.devApiKey());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()))) {
            List<Runnable> firstHalf = new ArrayList<>();
            List<Runnable> secondHalf = new ArrayList<>();
            Map<String, DlqReason> invalid = new LinkedHashMap<>();
            int valid = 0;
            for (int slot = 0; slot < PUBLISHED; slot++) {
                List<Runnable> half = slot < PUBLISHED / 2 ? firstHalf : secondHalf;
                if (slot % (PUBLISHED / INVALID) == 7) {
                    Invalid bad = invalidRecord(invalid.size());
                    invalid.put(bad.key(), bad.reason());
                    half.add(() -> publishRaw(client, bad.key(), bad.value()));
                } else {
                    int i = valid++;
                    half.add(() -> publish(client, document(i, 1)));
                }
            }
            assertThat(valid).isEqualTo(VALID);
            assertThat(invalid).hasSize(INVALID);
            assertThat(Set.copyOf(invalid.values())).hasSizeGreaterThanOrEqualTo(5);

            long start = System.nanoTime();
            // phase 1: half the documents, then the embedding worker crashes part-way through them
            firstHalf.forEach(Runnable::run);
            await().atMost(SETTLE).until(() -> embedded(platform) >= 40);
            platform.killEmbeddingWorker();
            double embeddedAtFirstKill = embedded(platform);
            // phase 1 holds 280 valid documents, so at least 280 chunks: the crash came part-way
            assertThat(embeddedAtFirstKill).as("chunks embedded when the worker crashed")
                    .isBetween(40.0, (double) PUBLISHED / 2 - INVALID / 2 - 1);
            assertThat(lag(admin, EmbeddingWorkerConfig.DEFAULT_GROUP, Topics.CHUNKS)).as("chunks left to embed").isPositive();

            secondHalf.forEach(Runnable::run);
            platform.restartEmbeddingWorker();
            // the indexer crashes while the restarted worker streams embeddings to it
            long indexedAtFirstKill = killIndexerMidStream(platform, admin, 0);
            platform.restartIndexer();

            // phase 2: new versions and deletes, while both crash once more
            for (int i = 0; i < UPDATED; i++) {
                publish(client, document(i, 2));
            }
            for (int i = FIRST_DELETED; i < FIRST_DELETED + DELETED; i++) {
                publish(client, DocumentV1.delete(TENANT, id(i)));
            }
            await().atMost(SETTLE).until(() -> embedded(platform) >= 350);
            killIndexerMidStream(platform, admin, indexedAtFirstKill);
            platform.restartIndexer();
            await().atMost(SETTLE).until(() -> embedded(platform) >= 450);
            platform.killEmbeddingWorker();
            double embeddedAtSecondKill = embedded(platform);
            assertThat(embeddedAtSecondKill).as("chunks embedded at the second crash").isLessThan(VALID + UPDATED);
            platform.restartEmbeddingWorker();

            Map<String, Expected> expected = expectations();
            MetadataStore metadata = platform.metadata();
            LuceneIndex index = platform.index();
            await().atMost(SETTLE).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                assertThat(metadata.stats(TENANT).pending()).isZero();
                for (Map.Entry<String, Expected> e : expected.entrySet()) {
                    assertSettled(metadata, index, e.getKey(), e.getValue());
                }
                assertThat(dlq(platform)).hasSize(INVALID);
            });
            double seconds = (System.nanoTime() - start) / 1e9;

            // every valid document: its last version, exactly its chunks, nothing of another version
            long activeChunks = 0;
            for (Map.Entry<String, Expected> e : expected.entrySet()) {
                DocumentRecord record = metadata.find(TENANT, e.getKey()).orElseThrow();
                assertSettled(metadata, index, e.getKey(), e.getValue());
                for (long v = 1; v <= e.getValue().version() + 1; v++) {
                    if (v != record.activeVersion()) {
                        assertThat(index.indexedChunks(TENANT, e.getKey(), v)).as(e.getKey() + " v" + v).isZero();
                    }
                }
                if (record.status() == DocumentStatus.ACTIVE) {
                    assertThat(record.activeChunkCount()).as(e.getKey() + " chunks").isBetween(1, 2);
                    activeChunks += record.activeChunkCount();
                }
            }
            assertThat(index.activeChunks()).as("chunks search serves").isEqualTo(activeChunks);
            assertThat(metadata.stats(TENANT).active()).isEqualTo(VALID - DELETED);
            assertThat(metadata.stats(TENANT).deleted()).isEqualTo(DELETED);
            assertThat(expected.values().stream().filter(x -> x.status() == DocumentStatus.ACTIVE)
                    .mapToInt(x -> metadata.find(TENANT, x.id()).orElseThrow().activeChunkCount()))
                    .as("some documents have two chunks").contains(2);

            // search: no duplicate chunk, never two versions of a document, never a stale or deleted one
            for (int i : new int[] {0, 1, 59, 60, 79, 80, 99, 100, 101, 250, 399, 400, 558, 559}) {
                for (int v = 1; v <= 2; v++) {
                    for (String mode : List.of("hybrid", "keyword", "vector")) {
                        assertCoherent(client.search(marker(i, v) + " survey record", 100, mode), expected, mode);
                    }
                }
            }
            for (int i = 0; i < VALID; i += 7) {
                Expected e = expected.get(id(i));
                List<String> current = ids(client.search(marker(i, e.version()), 10, "keyword"));
                if (e.status() == DocumentStatus.DELETED) {
                    assertThat(current).as("deleted " + id(i)).isEmpty();
                } else {
                    assertThat(current).as(id(i)).containsExactly(id(i));
                }
                if (e.version() > 1) {
                    assertThat(ids(client.search(marker(i, 1), 10, "keyword"))).as("old version of " + id(i)).isEmpty();
                }
            }
            for (int i = FIRST_DELETED; i < FIRST_DELETED + DELETED; i++) {
                assertThat(ids(client.search(marker(i, 1), 10, "keyword"))).as("deleted " + id(i)).isEmpty();
                assertThat(ids(client.search(marker(i, 2), 10, "keyword"))).as("deleted " + id(i)).isEmpty();
                JsonNode doc = client.get("/v1/documents/" + id(i));
                assertThat(doc.path("status").asText()).isEqualTo("DELETED");
            }

            // the DLQ: exactly the invalid records, each with its reason in the header and the value
            List<ConsumerRecord<byte[], byte[]>> dlq = dlq(platform);
            assertThat(dlq).hasSize(INVALID);
            Map<String, DlqReason> refused = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dlq) {
                DlqRecord record = Json.read(r.value(), DlqRecord.class);
                Header header = r.headers().lastHeader(DlqRecord.REASON_HEADER);
                assertThat(header).isNotNull();
                assertThat(new String(header.value(), StandardCharsets.UTF_8)).isEqualTo(record.reason().name());
                assertThat(record.originalKey()).isEqualTo(new String(r.key(), StandardCharsets.UTF_8));
                assertThat(record.sourceTopic()).isEqualTo(Topics.DOCUMENTS);
                assertThat(refused.put(record.originalKey(), record.reason())).as("refused twice: " + record.originalKey()).isNull();
            }
            assertThat(refused).isEqualTo(invalid);

            double chunks = embedded(platform);
            System.out.printf("%n embedding worker killed at %.0f and %.0f of %.0f chunks embedded%n", embeddedAtFirstKill,
                    embeddedAtSecondKill, chunks);
            System.out.printf("%n fault injection: %d records (%d documents, %d invalid, %d new versions, %d deletes)%n",
                    PUBLISHED + UPDATED + DELETED, PUBLISHED, INVALID, UPDATED, DELETED);
            System.out.printf(" %-12s %-10s %-12s %-8s %-10s%n", "records", "seconds", "records/s", "chunks", "chunks/s");
            System.out.printf(" %-12d %-10.1f %-12.1f %-8.0f %-10.1f%n%n", PUBLISHED + UPDATED + DELETED, seconds,
                    (PUBLISHED + UPDATED + DELETED) / seconds, chunks, chunks / seconds);
        }
    }

    /** What a valid document must look like once settled. */
    private record Expected(String id, DocumentStatus status, long version) {
    }

    private static Map<String, Expected> expectations() {
        Map<String, Expected> out = new LinkedHashMap<>();
        for (int i = 0; i < VALID; i++) {
            boolean updated = i < UPDATED;
            boolean deleted = i >= FIRST_DELETED && i < FIRST_DELETED + DELETED;
            // versions count every change: a new version, then a delete, each takes the next number
            long version = 1 + (updated ? 1 : 0) + (deleted ? 1 : 0);
            out.put(id(i), new Expected(id(i), deleted ? DocumentStatus.DELETED : DocumentStatus.ACTIVE, version));
        }
        return out;
    }

    private static void assertSettled(MetadataStore metadata, LuceneIndex index, String id, Expected e) {
        DocumentRecord record = metadata.find(TENANT, id).orElseThrow(() -> new AssertionError("no row for " + id));
        assertThat(record.status()).as(id).isEqualTo(e.status());
        assertThat(record.version()).as(id).isEqualTo(e.version());
        if (e.status() == DocumentStatus.ACTIVE) {
            assertThat(record.activeVersion()).as(id).isEqualTo(e.version());
            assertThat(record.activeChunkCount()).as(id).isPositive();
            assertThat(index.indexedChunks(TENANT, id, e.version())).as(id + " chunks").isEqualTo(record.activeChunkCount());
        } else {
            for (long v = 1; v <= e.version(); v++) {
                assertThat(index.indexedChunks(TENANT, id, v)).as(id + " v" + v + " after delete").isZero();
            }
        }
    }

    private static void assertCoherent(PlatformClient.Response response, Map<String, Expected> expected, String mode) {
        assertThat(response.status()).as(mode).isEqualTo(200);
        JsonNode results = response.body().path("results");
        List<String> chunkIds = results.findValuesAsText("chunkId");
        List<String> documents = results.findValuesAsText("documentId");
        assertThat(chunkIds).as(mode + " chunk ids").doesNotHaveDuplicates();
        assertThat(documents).as(mode + " documents (one version each)").doesNotHaveDuplicates();
        for (JsonNode hit : results) {
            Expected e = expected.get(hit.path("documentId").asText());
            assertThat(e).as(mode + " unexpected " + hit).isNotNull();
            assertThat(e.status()).as(mode + " deleted " + hit).isEqualTo(DocumentStatus.ACTIVE);
            assertThat(hit.path("version").asLong()).as(mode + " " + hit.path("chunkId").asText()).isEqualTo(e.version());
            assertThat(hit.path("chunkId").asText()).startsWith(TENANT + "/" + e.id() + "#" + e.version() + "#");
        }
    }

    /**
     * Crashes the indexer at a moment when it has committed past {@code after} and the log has
     * more than its last commit holds (embeddings are still coming). Returns that commit's total
     * offset.
     */
    private static long killIndexerMidStream(EmbeddedPlatform platform, Admin admin, long after) throws Exception {
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(50)).until(() -> {
            long committed = committedTotal(platform.index());
            if (committed > after && endTotal(admin) > committed) {
                platform.killIndexer();
                return true;
            }
            return false;
        });
        long committed = committedTotal(platform.index());
        long end = endTotal(admin);
        System.out.printf(" indexer killed: its last commit at offset %d of the log's %d%n", committed, end);
        assertThat(committed).as("the crashed indexer's last commit, against the log's end").isGreaterThan(after)
                .isLessThan(end);
        return committed;
    }

    private static long endTotal(Admin admin) throws Exception {
        return ends(admin, Topics.EMBEDDINGS).values().stream().mapToLong(Long::longValue).sum();
    }

    private static long committedTotal(LuceneIndex index) {
        return index.committedOffsets().values().stream().mapToLong(Long::longValue).sum();
    }

    private static double embedded(EmbeddedPlatform platform) {
        var counter = platform.registry().find(MetricNames.EMBEDDINGS).counter();
        return counter == null ? 0 : counter.count();
    }

    private static long lag(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> e : ends(admin, topic).entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += e.getValue() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    private static Map<TopicPartition, Long> ends(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
                .forEach(p -> specs.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(specs).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /** Every committed record on the DLQ, from the beginning. */
    private static List<ConsumerRecord<byte[], byte[]>> dlq(EmbeddedPlatform platform) {
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = reader.partitionsFor(Topics.DOCUMENTS_DLQ).stream()
                    .map(p -> new TopicPartition(Topics.DOCUMENTS_DLQ, p.partition())).toList();
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = reader.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            while (partitions.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
                reader.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    private static List<String> ids(PlatformClient.Response response) {
        assertThat(response.status()).isEqualTo(200);
        return response.body().path("results").findValuesAsText("documentId");
    }

    private record Invalid(String key, byte[] value, DlqReason reason) {
    }

    /** Eight kinds of invalid record, five of each, keys default/bad-NN. */
    private static Invalid invalidRecord(int n) {
        String key = TENANT + "/bad-" + String.format("%02d", n);
        String id = "bad-" + String.format("%02d", n);
        String head = "{\"schema\":\"ragline.document.v1\",\"tenant\":\"default\",\"id\":\"" + id + "\"";
        return switch (n % 8) {
            case 0 -> new Invalid(key, utf8("{not json " + n), DlqReason.INVALID_JSON);
            case 1 -> new Invalid(key, utf8("{\"schema\":\"ragline.document.v9\",\"tenant\":\"default\",\"id\":\"" + id
                    + "\",\"text\":\"x\"}"), DlqReason.UNKNOWN_SCHEMA);
            case 2 -> new Invalid(key, utf8("{\"schema\":\"ragline.document.v1\",\"tenant\":\"default\",\"text\":\"no id\"}"),
                    DlqReason.MISSING_ID);
            case 3 -> new Invalid(TENANT + "/mismatch-" + n, utf8(head + ",\"text\":\"the key names another id\"}"),
                    DlqReason.KEY_MISMATCH);
            case 4 -> new Invalid(key, utf8("{\"schema\":\"ragline.document.v1\",\"tenant\":\"-bad tenant\",\"id\":\"" + id
                    + "\",\"text\":\"x\"}"), DlqReason.INVALID_ID);
            case 5 -> new Invalid(key, utf8(head + ",\"text\":\"x\",\"contentType\":\"image/png\"}"),
                    DlqReason.UNSUPPORTED_CONTENT_TYPE);
            case 6 -> new Invalid(key, utf8(head + ",\"text\":\"x\",\"metadata\":{\"nested\":{\"a\":1}}}"),
                    DlqReason.METADATA_INVALID);
            default -> new Invalid(key, utf8(head + ",\"text\":\"   \"}"), DlqReason.EMPTY_TEXT);
        };
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final String CONSONANTS = "bcdfghjkmnpqrtvwxz";
    private static final String[] PLACES = {"lighthouse", "glacier", "orchard", "harbour", "observatory", "vineyard",
            "canyon", "monastery", "railway", "reservoir"};

    private static String id(int i) {
        return String.format("doc-%03d.txt", i);
    }

    /**
     * A word only version {@code version} of document {@code i} contains: consonants only, so the
     * English stemmer leaves it whole and no two markers meet in one term.
     */
    private static String marker(int i, int version) {
        int n = CONSONANTS.length();
        return (version == 1 ? "zq" : "zr") + CONSONANTS.charAt(i / (n * n) % n) + CONSONANTS.charAt(i / n % n)
                + CONSONANTS.charAt(i % n);
    }

    private static String marker(int i, long version) {
        return marker(i, (int) version);
    }

    private static DocumentV1 document(int i, int version) {
        StringBuilder text = new StringBuilder("Survey record " + marker(i, version) + ". The team visited the "
                + PLACES[i % PLACES.length] + " and noted " + (i % 13 + 2) + " details about its condition"
                + (version > 1 ? " after the repairs." : "."));
        if (i % LONG_EVERY == 5) {
            for (int s = 0; s < 24; s++) {
                text.append(" Appendix line ").append(s).append(" repeats the inspection notes for the regional archive.");
            }
        }
        return DocumentV1.upsert(TENANT, id(i), "Survey " + i, text.toString(), "text/plain", "fault-test",
                Map.of("n", i));
    }

    private static void publish(PlatformClient client, DocumentV1 doc) {
        try {
            client.publish(doc);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void publishRaw(PlatformClient client, String key, byte[] value) {
        try {
            client.publishRaw(key, value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
