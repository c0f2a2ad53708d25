package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.core.Topics;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.LifecycleEvent;
import io.ragline.core.json.Json;
import io.ragline.core.model.Embedder;
import io.ragline.core.runtime.Health;
import io.ragline.core.store.Database;
import io.ragline.core.store.IndexProbe;
import io.ragline.core.store.MetadataStore;
import io.ragline.embed.EmbedderNode;
import io.ragline.ingest.lifecycle.LifecycleNode;
import io.ragline.ingest.lifecycle.LifecycleSettings;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Readiness of the embedder and workflows roles follows their workers, on a real broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerReadinessTest {
    @TempDir
    static Path dir;

    private EmbeddedKafka kafka;
    private String bootstrap;

    @BeforeAll
    void startBroker() throws IOException {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), FreePorts.next(), FreePorts.next());
        bootstrap = kafka.bootstrapServers();
        TopicSetup.ensure(bootstrap, 2, 1);
    }

    @AfterAll
    void stopBroker() {
        kafka.close();
    }

    @Test
    void anEmbedderIsReadyOnceItsWorkerConsumesAndNoLongerOnceItDied() throws Exception {
        try (EmbedderNode node = new EmbedderNode(bootstrap, new CrashingEmbedder(), "readiness", 4, new SimpleMeterRegistry())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> node.health().ready());

            // the model's runtime fails outside the embedding call, which the worker retries and dead-letters: it stops
            ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, "t", "crash.md", 1, ChunkEvent.chunkId("t", "crash.md", 1, 0),
                    0, 1, "Crash", "CRASH", null, "en", Map.of());
            send(Topics.CHUNKS, chunk.documentKey(), Json.write(chunk));

            await().atMost(Duration.ofSeconds(30)).until(() -> !node.health().ready());
            assertThat(node.health().reason()).contains("embedding worker crashed", "onnxruntime");
        }
    }

    @Test
    void theWorkflowsRoleIsReadyWhileItsWorkersAndStarterRunAndNoLongerOnceTheyStopped() throws Exception {
        EmbeddedPostgres pg = EmbeddedPostgres.start(dir.resolve("pg"), FreePorts.next());
        TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
        HikariDataSource database = Database.open(pg.jdbcUrl(), pg.user(), pg.password(), 2);
        try (pg; env) {
            LifecycleNode node = new LifecycleNode(bootstrap, env.getWorkflowClient(), new MetadataStore(database),
                    new NoIndex(), new LifecycleSettings(Duration.ofMinutes(1), Duration.ofSeconds(1)), new SimpleMeterRegistry());
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> node.health().ready());

                // the metadata store goes away: the next lifecycle event stops the starter
                database.close();
                LifecycleEvent event = new LifecycleEvent(LifecycleEvent.SCHEMA, LifecycleEvent.LifecycleOp.INDEX, "t",
                        "stuck.md", 1, 1, "h", "Stuck", null, "en", Map.of(), System.currentTimeMillis());
                send(Topics.LIFECYCLE, event.documentKey(), Json.write(event));

                await().atMost(Duration.ofSeconds(30)).until(() -> !node.health().ready());
                assertThat(node.health().reason()).contains("lifecycle starter crashed");
            } finally {
                node.close();
            }
            Health closed = node.health();
            assertThat(closed.ready()).isFalse();
            assertThat(closed.reason()).contains("Temporal worker factory");
        } finally {
            database.close();
        }
    }

    private void send(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
        }
    }

    /** Embeds anything, but its tokenizer fails on a passage with {@code CRASH} in it, which stops the worker. */
    private static final class CrashingEmbedder implements Embedder {
        @Override
        public int dimension() {
            return 4;
        }

        @Override
        public int maxTokens() {
            return 512;
        }

        @Override
        public boolean truncates(String passage) {
            if (passage.contains("CRASH")) {
                throw new IllegalStateException("onnxruntime: the tokenizer's native handle was freed");
            }
            return false;
        }

        @Override
        public List<float[]> embedPassages(List<String> passages) {
            return passages.stream().map(p -> new float[] {0.5f, 0.5f, 0.5f, 0.5f}).toList();
        }

        @Override
        public float[] embedQuery(String query) {
            return new float[] {0.5f, 0.5f, 0.5f, 0.5f};
        }

        @Override
        public void close() {
        }
    }

    private static final class NoIndex implements IndexProbe {
        @Override
        public long indexedChunks(String tenant, String documentId, long version) {
            return 0;
        }

        @Override
        public long appliedRevision(String tenant, String documentId) {
            return 0;
        }
    }
}
