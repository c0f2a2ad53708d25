package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.core.Topics;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.core.json.Json;
import io.ragline.core.model.OnnxEmbedder;
import io.ragline.embed.EmbedderNode;
import io.ragline.embed.EmbeddingWorkerConfig;
import io.ragline.embed.ScalingMetrics;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Embedding workers on a real broker with the real model: scaling metrics, and a worker killed mid-stream. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingWorkerFailoverTest {
    @TempDir
    static Path dir;

    private EmbeddedKafka kafka;
    private Admin admin;

    @BeforeAll
    void startBroker() throws IOException {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), freePort(), freePort());
        TopicSetup.ensure(kafka.bootstrapServers(), 3, 1);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @AfterAll
    void stopBroker() {
        admin.close();
        kafka.close();
    }

    @Test
    void theScalingEndpointReportsTheLagAnAdminClientComputes() throws Exception {
        String group = EmbeddingWorkerConfig.DEFAULT_GROUP + "-lag";
        produceChunks("lag", 30);
        // a member of the group consumes and commits part of the backlog
        try (KafkaConsumer<byte[], byte[]> member = consumer(group)) {
            member.subscribe(List.of(Topics.CHUNKS));
            int consumed = 0;
            while (consumed < 10) {
                for (ConsumerRecord<byte[], byte[]> r : member.poll(Duration.ofMillis(200))) {
                    if (consumed++ < 10) {
                        member.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
                    }
                }
            }
            try (ScalingMetrics metrics = new ScalingMetrics(kafka.bootstrapServers(), group, new SimpleMeterRegistry())) {
                ScalingMetrics.Snapshot snapshot = metrics.snapshot();
                assertThat(snapshot.totalLag()).isEqualTo(independentLag(group)).isBetween(20L, 29L);
                assertThat(snapshot.replicas()).isEqualTo(1);
                assertThat(snapshot.lagPerReplica()).isEqualTo((double) snapshot.totalLag());
            }
        }
    }

    @Test
    void aWorkerKilledMidStreamLosesAndDuplicatesNothing() throws Exception {
        int chunks = 120;
        Process victim = startWorkerProcess("victim");
        try (OnnxEmbedder embedder = OnnxEmbedder.bundled(dir.resolve("models"), 1)) {
            List<String> expected = produceChunks("kill", chunks);
            // the victim shares the work with the survivor, then dies without any goodbye
            EmbedderNode survivor;
            try (KafkaConsumer<byte[], byte[]> reader = consumer(null)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> victim.isAlive() && countCommitted(reader, "kill") >= 8);
            }
            survivor = new EmbedderNode(kafka.bootstrapServers(), embedder, "survivor", 4, new SimpleMeterRegistry());
            try (survivor) {
                try (KafkaConsumer<byte[], byte[]> reader = consumer(null)) {
                    await().atMost(Duration.ofMinutes(2)).until(() -> countCommitted(reader, "kill") >= 16);
                }
                victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

                Map<String, Integer> seen = new HashMap<>();
                try (KafkaConsumer<byte[], byte[]> reader = consumer(null)) {
                    await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> {
                        readEmbeddings(reader, "kill", seen);
                        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(expected);
                    });
                }
                assertThat(seen.values()).as("each chunk committed exactly once").containsOnly(1);
            }
        } finally {
            victim.destroyForcibly();
        }
    }

    @Test
    void aChunkTheModelKeepsFailingOnGoesToTheDlqAndItsPartitionMovesOn() throws Exception {
        try (OnnxEmbedder real = OnnxEmbedder.bundled(dir.resolve("models"), 1);
             EmbedderNode worker = new EmbedderNode(kafka.bootstrapServers(), new FailingOn("POISON", real), "poison", 4,
                     new SimpleMeterRegistry())) {
            List<String> ids = produceChunks("poison", 6, i -> i == 2 ? "POISON pill" : i == 4 ? "long ".repeat(900) : null);
            Map<String, Integer> seen = new HashMap<>();
            try (KafkaConsumer<byte[], byte[]> reader = consumer(null)) {
                await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
                    readEmbeddings(reader, "poison", seen);
                    assertThat(seen.keySet()).containsExactlyInAnyOrder(ids.get(0), ids.get(1), ids.get(3), ids.get(4), ids.get(5));
                });
                List<EmbeddingEvent> events = new ArrayList<>();
                readAll(reader, Topics.EMBEDDINGS, r -> events.add(Json.read(r.value(), EmbeddingEvent.class)));
                assertThat(events).filteredOn(e -> e.chunk().chunkId().equals(ids.get(4))).singleElement()
                        .extracting(EmbeddingEvent::truncated).isEqualTo(true);
                assertThat(events).filteredOn(e -> e.chunk().chunkId().equals(ids.get(0))).singleElement()
                        .extracting(EmbeddingEvent::truncated).isEqualTo(false);
                List<io.ragline.core.event.DlqRecord> dlq = new ArrayList<>();
                readAll(reader, Topics.DOCUMENTS_DLQ, r -> dlq.add(Json.read(r.value(), io.ragline.core.event.DlqRecord.class)));
                assertThat(dlq).singleElement().satisfies(d -> {
                    assertThat(d.reason()).isEqualTo(io.ragline.core.event.DlqReason.EMBEDDING_FAILED);
                    assertThat(Json.read(d.originalValue().getBytes(StandardCharsets.UTF_8), ChunkEvent.class).chunkId())
                            .isEqualTo(ids.get(2));
                });
            }
        }
    }

    /** The real model, failing on passages that contain a marker: a fault injected at the model. */
    private record FailingOn(String marker, OnnxEmbedder real) implements io.ragline.core.model.Embedder {
        @Override
        public int dimension() {
            return real.dimension();
        }

        @Override
        public int maxTokens() {
            return real.maxTokens();
        }

        @Override
        public boolean truncates(String passage) {
            return real.truncates(passage);
        }

        @Override
        public List<float[]> embedPassages(List<String> passages) {
            if (passages.stream().anyMatch(p -> p.contains(marker))) {
                throw new IllegalStateException("injected model failure");
            }
            return real.embedPassages(passages);
        }

        @Override
        public float[] embedQuery(String query) {
            return real.embedQuery(query);
        }

        @Override
        public void close() {
        }
    }

    private void readAll(KafkaConsumer<byte[], byte[]> reader, String topic,
                         java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        List<TopicPartition> partitions = reader.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        reader.assign(partitions);
        reader.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = reader.endOffsets(partitions);
        while (partitions.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
            reader.poll(Duration.ofMillis(200)).forEach(each);
        }
    }

    private List<String> produceChunks(String prefix, int n) throws Exception {
        return produceChunks(prefix, n, i -> null);
    }

    private List<String> produceChunks(String prefix, int n, java.util.function.IntFunction<String> textOverride)
            throws Exception {
        List<String> ids = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                String doc = prefix + "-doc-" + (i % 12);
                ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, "t", doc, 1, ChunkEvent.chunkId("t", doc, 1, i), i, n,
                        "Title", textOverride.apply(i) != null ? textOverride.apply(i)
                                : "Passage " + i + " about embedding workers that must survive a crash without losing work.",
                        null, "en", Map.of());
                producer.send(new ProducerRecord<>(Topics.CHUNKS, chunk.documentKey().getBytes(StandardCharsets.UTF_8), Json.write(chunk))).get();
                ids.add(chunk.chunkId());
            }
        }
        return ids;
    }

    private long independentLag(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            latest.put(new TopicPartition(Topics.CHUNKS, p), OffsetSpec.latest());
        }
        long lag = 0;
        for (var e : admin.listOffsets(latest).all().get().entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += e.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    private int countCommitted(KafkaConsumer<byte[], byte[]> reader, String prefix) {
        Map<String, Integer> seen = new HashMap<>();
        readEmbeddings(reader, prefix, seen);
        return seen.size();
    }

    /** Reads every committed embedding from the beginning, counting each chunk id with the prefix. */
    private void readEmbeddings(KafkaConsumer<byte[], byte[]> reader, String prefix, Map<String, Integer> seen) {
        List<TopicPartition> partitions = List.of(new TopicPartition(Topics.EMBEDDINGS, 0),
                new TopicPartition(Topics.EMBEDDINGS, 1), new TopicPartition(Topics.EMBEDDINGS, 2));
        reader.assign(partitions);
        reader.seekToBeginning(partitions);
        seen.clear();
        Map<TopicPartition, Long> end = reader.endOffsets(partitions);
        while (partitions.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                EmbeddingEvent e = Json.read(r.value(), EmbeddingEvent.class);
                if (e.chunk().documentId().startsWith(prefix)) {
                    assertThat(e.vectorArray()).hasSize(384);
                    seen.merge(e.chunk().chunkId(), 1, Integer::sum);
                }
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer(String group) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        if (group != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private Process startWorkerProcess(String id) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true",
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), WorkerProcess.class.getName(),
                kafka.bootstrapServers(), id, dir.resolve("models-" + id).toString()));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(new File(dir.toFile(), id + ".log")).start();
    }

    private static int freePort() throws IOException {
        return FreePorts.next();
    }
}
