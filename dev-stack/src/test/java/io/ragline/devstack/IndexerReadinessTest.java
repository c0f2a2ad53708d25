package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.core.Topics;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.core.json.Json;
import io.ragline.core.runtime.Health;
import io.ragline.core.runtime.Resources;
import io.ragline.search.index.ChunkSink;
import io.ragline.search.index.Indexer;
import io.ragline.search.index.IndexerSupervisor;
import io.ragline.search.index.LuceneIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A search replica's indexer on a real broker: it picks up topics and partitions created after
 * its start, and the replica is ready only once the indexer has caught up with the logs.
 */
class IndexerReadinessTest {
    private static final int DIMENSION = 4;

    @TempDir
    Path dir;

    @Test
    void aReplicaStartedBeforeItsTopicsExistIndexesWhatAppearsLaterAndNewPartitionsToo() throws Exception {
        try (Resources r = new Resources()) {
            EmbeddedKafka kafka = r.add(EmbeddedKafka.start(dir.resolve("kafka"), FreePorts.next(), FreePorts.next()));
            String bootstrap = kafka.bootstrapServers();
            Admin admin = r.add(Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)));
            LuceneIndex index = r.add(new LuceneIndex(dir.resolve("index")));
            IndexerSupervisor supervisor = r.add(new IndexerSupervisor(() -> new Indexer(bootstrap, index, DIMENSION,
                    new SimpleMeterRegistry()).partitionCheckInterval(Duration.ofMillis(200)), new SimpleMeterRegistry()));
            supervisor.start();

            // nothing to catch up with: ready, and the replica created no topic of its own (one partition, not compacted)
            await().atMost(Duration.ofSeconds(30)).until(() -> supervisor.health().ready());
            assertThat(admin.listTopics().names().get()).doesNotContain(Topics.EMBEDDINGS, Topics.DOCUMENT_STATE);

            TopicSetup.ensure(bootstrap, 2, 1); // the ingest service starts later and creates the topics
            try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
                for (int seq = 0; seq < 3; seq++) {
                    producer.send(embedding("late.md", seq, 3, null)).get();
                }
                producer.send(state("late.md", 7)).get();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(index.indexedChunks("t", "late.md", 1)).isEqualTo(3);
                    assertThat(index.appliedRevision("t", "late.md")).isEqualTo(7);
                });

                // partitions added while it runs are read from their beginning, the others keep their positions
                admin.createPartitions(Map.of(Topics.EMBEDDINGS, NewPartitions.increaseTo(3),
                        Topics.DOCUMENT_STATE, NewPartitions.increaseTo(3))).all().get();
                producer.send(embedding("added.md", 0, 1, 2)).get();
                producer.send(new ProducerRecord<>(Topics.DOCUMENT_STATE, 2, key("added.md"), Json.write(
                        new DocumentState(DocumentState.SCHEMA, "t", "added.md", DocumentStatus.ACTIVE, 1, 1, 1, 3, null,
                                System.currentTimeMillis())))).get();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(index.indexedChunks("t", "added.md", 1)).isEqualTo(1);
                    assertThat(index.appliedRevision("t", "added.md")).isEqualTo(3);
                });
            }
            assertThat(index.indexedChunks("t", "late.md", 1)).isEqualTo(3); // nothing read twice, nothing lost
            supervisor.stop();
            assertThat(index.committedOffsets()).containsKeys(Topics.EMBEDDINGS + "-0", Topics.EMBEDDINGS + "-1",
                    Topics.EMBEDDINGS + "-2");
        }
    }

    @Test
    void aReplicaIsNotReadyUntilItsIndexerHasCaughtUpWithTheBacklog() throws Exception {
        try (Resources r = new Resources()) {
            EmbeddedKafka kafka = r.add(EmbeddedKafka.start(dir.resolve("kafka"), FreePorts.next(), FreePorts.next()));
            String bootstrap = kafka.bootstrapServers();
            TopicSetup.ensure(bootstrap, 2, 1);
            try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
                for (int seq = 0; seq < 40; seq++) {
                    producer.send(embedding("backlog.md", seq, 40, null));
                }
                producer.flush();
            }
            LuceneIndex lucene = r.add(new LuceneIndex(dir.resolve("index")));
            // the index holds its first write until released: the indexer is caught in its backlog meanwhile
            CountDownLatch writing = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ChunkSink slow = new HeldSink(lucene, writing, release);
            IndexerSupervisor supervisor = r.add(new IndexerSupervisor(() -> new Indexer(bootstrap, slow, DIMENSION,
                    new SimpleMeterRegistry()), new SimpleMeterRegistry()));
            r.add(release::countDown); // closed before the supervisor: a failed test must not leave the indexer held
            assertThat(supervisor.health().ready()).isFalse(); // not even started
            supervisor.start();

            await().atMost(Duration.ofSeconds(30)).until(() -> writing.getCount() == 0);
            Health health = supervisor.health();
            assertThat(health.ready()).isFalse();
            assertThat(health.reason()).contains("catching up");

            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> supervisor.health().ready());
            assertThat(lucene.indexedChunks("t", "backlog.md", 1)).isEqualTo(40); // ready means the backlog is in

            // paused for an operation (a backup), it stays ready: its index is complete up to the pause
            supervisor.stop();
            assertThat(supervisor.health().ready()).isTrue();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] key(String documentId) {
        return ("t/" + documentId).getBytes(StandardCharsets.UTF_8);
    }

    private static ProducerRecord<byte[], byte[]> embedding(String documentId, int seq, int count, Integer partition) {
        ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, "t", documentId, 1, ChunkEvent.chunkId("t", documentId, 1, seq),
                seq, count, documentId, "Chunk " + seq + " of " + documentId + ".", null, "en", Map.of());
        float[] vector = {1, seq, 0, 1};
        float norm = (float) Math.sqrt(2 + seq * seq);
        for (int i = 0; i < vector.length; i++) {
            vector[i] /= norm;
        }
        return new ProducerRecord<>(Topics.EMBEDDINGS, partition, chunk.chunkId().getBytes(StandardCharsets.UTF_8),
                Json.write(EmbeddingEvent.of(chunk, "test-model", vector, false)));
    }

    private static ProducerRecord<byte[], byte[]> state(String documentId, long revision) {
        return new ProducerRecord<>(Topics.DOCUMENT_STATE, key(documentId), Json.write(new DocumentState(DocumentState.SCHEMA,
                "t", documentId, DocumentStatus.ACTIVE, 1, 1, 3, revision, null, System.currentTimeMillis())));
    }

    /** A chunk store whose first write waits until the test releases it. */
    private record HeldSink(LuceneIndex index, CountDownLatch writing, CountDownLatch release) implements ChunkSink {
        @Override
        public void upsert(EmbeddingEvent embedding) throws IOException {
            writing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            index.upsert(embedding);
        }

        @Override
        public void deleteChunk(String chunkId) throws IOException {
            index.deleteChunk(chunkId);
        }

        @Override
        public void apply(DocumentState snapshot) throws IOException {
            index.apply(snapshot);
        }

        @Override
        public void refresh() throws IOException {
            index.refresh();
        }

        @Override
        public void commit(Map<String, Long> offsets) throws IOException {
            index.commit(offsets);
        }

        @Override
        public Map<String, Long> committedOffsets() {
            return index.committedOffsets();
        }

        @Override
        public void resetStates() {
            index.resetStates();
        }

        @Override
        public int vectorDimension() {
            return index.vectorDimension();
        }

        @Override
        public Map<String, Long> counts() {
            return index.counts();
        }

        @Override
        public long indexedChunks(String tenant, String documentId, long version) {
            return index.indexedChunks(tenant, documentId, version);
        }

        @Override
        public long appliedRevision(String tenant, String documentId) {
            return index.appliedRevision(tenant, documentId);
        }

        @Override
        public void close() {
        }
    }
}
