package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.core.Topics;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.LifecycleEvent;
import io.ragline.core.json.Json;
import io.ragline.core.model.OnnxEmbedder;
import io.ragline.core.runtime.Resources;
import io.ragline.core.store.Database;
import io.ragline.core.store.MetadataStore;
import io.ragline.embed.EmbedderNode;
import io.ragline.embed.EmbeddingWorkerConfig;
import io.ragline.ingest.lifecycle.ChunkRedriver;
import io.ragline.ingest.lifecycle.DocumentLifecycleActivitiesImpl;
import io.ragline.ingest.lifecycle.IndexDocumentWorkflow;
import io.ragline.ingest.lifecycle.IndexDocumentWorkflowImpl;
import io.ragline.ingest.lifecycle.KafkaStatePublisher;
import io.ragline.ingest.lifecycle.LifecycleProgress;
import io.ragline.ingest.lifecycle.LifecycleSettings;
import io.ragline.search.index.Indexer;
import io.ragline.search.index.LuceneIndex;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunks that never reached the index (here: skipped by the embedding workers, as after a lost
 * batch) are re-driven from ragline.chunks when the version's time is up, and the version then
 * activates: real broker, real model, real indexer and index, lifecycle on Temporal's test
 * environment.
 */
class ChunkRedriveTest {
    @TempDir
    Path dir;

    @Test
    void missingChunksAreRedrivenAndTheVersionActivates() throws Exception {
        try (Resources r = new Resources()) {
            EmbeddedKafka kafka = r.add(EmbeddedKafka.start(dir.resolve("kafka"), freePort(), freePort()));
            String bootstrap = kafka.bootstrapServers();
            TopicSetup.ensure(bootstrap, 3, 1);
            EmbeddedPostgres pg = r.add(EmbeddedPostgres.start(dir.resolve("pg"), freePort()));
            HikariDataSource ds = r.add(Database.open(pg.jdbcUrl(), pg.user(), pg.password(), 4));
            MetadataStore metadata = new MetadataStore(ds);
            OnnxEmbedder embedder = r.add(OnnxEmbedder.bundled(dir.resolve("models"), 1));
            LuceneIndex index = r.add(new LuceneIndex(dir.resolve("index")));
            r.background("indexer", new Indexer(bootstrap, index, embedder.dimension(), new SimpleMeterRegistry()));

            // the version's three chunks are on ragline.chunks, but the workers' group is already past them
            LifecycleEvent event = new LifecycleEvent(LifecycleEvent.SCHEMA, LifecycleEvent.LifecycleOp.INDEX, "t", "lost.md",
                    1, 3, "h", "Lost", null, "en", Map.of(), System.currentTimeMillis());
            produceChunks(bootstrap, event);
            skipAhead(bootstrap);
            r.add(new EmbedderNode(bootstrap, embedder, "w1", 4, new SimpleMeterRegistry()));

            TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
            r.add(env::close);
            Worker worker = env.newWorker(IndexDocumentWorkflow.TASK_QUEUE);
            worker.registerWorkflowImplementationFactory(IndexDocumentWorkflow.class, () -> new IndexDocumentWorkflowImpl(
                    new LifecycleSettings(Duration.ofMinutes(10), Duration.ofMillis(200), Duration.ofMinutes(1), 2)));
            worker.registerActivitiesImplementations(new DocumentLifecycleActivitiesImpl(metadata, index,
                    r.add(new KafkaStatePublisher(bootstrap)), r.add(new ChunkRedriver(bootstrap)), new SimpleMeterRegistry()));
            env.start();

            metadata.recordChunked(event);
            LifecycleProgress result = env.getWorkflowClient().newWorkflowStub(IndexDocumentWorkflow.class,
                    WorkflowOptions.newBuilder().setTaskQueue(IndexDocumentWorkflow.TASK_QUEUE)
                            .setWorkflowId(IndexDocumentWorkflow.workflowId("t", "lost.md", 1)).build()).run(event);

            assertThat(result.status()).isEqualTo(DocumentStatus.ACTIVE);
            assertThat(result.indexedChunks()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(metadata.find("t", "lost.md").orElseThrow().status()).isEqualTo(DocumentStatus.ACTIVE));
        }
    }

    private static void produceChunks(String bootstrap, LifecycleEvent e) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int seq = 0; seq < e.chunkCount(); seq++) {
                ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, e.tenant(), e.documentId(), e.version(),
                        ChunkEvent.chunkId(e.tenant(), e.documentId(), e.version(), seq), seq, e.chunkCount(), e.title(),
                        "Part " + seq + " of a document whose chunks went missing.", null, "en", Map.of());
                producer.send(new ProducerRecord<>(Topics.CHUNKS, chunk.documentKey().getBytes(StandardCharsets.UTF_8),
                        Json.write(chunk))).get();
            }
        }
    }

    /** Commits the workers' group at the end of ragline.chunks: what they consumed is "lost". */
    private static void skipAhead(String bootstrap) {
        Map<String, Object> config = new HashMap<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, EmbeddingWorkerConfig.DEFAULT_GROUP));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.CHUNKS).stream()
                    .map(p -> new TopicPartition(Topics.CHUNKS, p.partition())).toList();
            Map<TopicPartition, OffsetAndMetadata> end = new HashMap<>();
            consumer.endOffsets(partitions).forEach((tp, o) -> end.put(tp, new OffsetAndMetadata(o)));
            consumer.commitSync(end);
        }
    }

    private static int freePort() throws IOException {
        return FreePorts.next();
    }
}
