package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ragline.core.Topics;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.core.event.IndexGenerations;
import io.ragline.core.event.LifecycleEvent;
import io.ragline.core.generation.GenerationLog;
import io.ragline.core.json.Json;
import io.ragline.core.model.OnnxEmbedder;
import io.ragline.core.runtime.Resources;
import io.ragline.core.store.Database;
import io.ragline.core.store.MetadataStore;
import io.ragline.embed.EmbedderNode;
import io.ragline.ingest.lifecycle.KafkaStatePublisher;
import io.ragline.ingest.reindex.ChunkRepublisher;
import io.ragline.ingest.reindex.ReindexActivitiesImpl;
import io.ragline.ingest.reindex.ReindexPhase;
import io.ragline.ingest.reindex.ReindexProgress;
import io.ragline.ingest.reindex.ReindexRequest;
import io.ragline.ingest.reindex.ReindexSettings;
import io.ragline.ingest.reindex.ReindexWorkflow;
import io.ragline.ingest.reindex.ReindexWorkflowImpl;
import io.ragline.search.SearchNode;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * ReindexWorkflow's logic on Temporal's time-skipping test environment, with the real activities
 * over a real broker, PostgreSQL, search replica (generations and all) and, where the new
 * generation must fill, a real embedding worker. Minutes of waiting in workflow time pass in seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReindexWorkflowTest {
    private static final int DOCUMENTS = 6;
    /** Batches of at most 2 chunks, 2 batches a run: 6 chunks take at least 2 runs (a continue-as-new). */
    private static final ReindexSettings SETTINGS = new ReindexSettings(2, 2, Duration.ofMinutes(30),
            Duration.ofMillis(200), Duration.ofMinutes(1), Duration.ofMinutes(5));

    @TempDir
    static Path dir;
    private final Resources shared = new Resources();
    private String bootstrap;
    private MetadataStore metadata;
    private OnnxEmbedder embedder;
    private SearchNode search;

    private TestWorkflowEnvironment env;
    private WorkflowClient client;

    @BeforeAll
    void startPlatformParts() throws Exception {
        EmbeddedKafka kafka = shared.add(EmbeddedKafka.start(dir.resolve("kafka"), freePort(), freePort()));
        bootstrap = kafka.bootstrapServers();
        TopicSetup.ensure(bootstrap, 3, 1);
        EmbeddedPostgres pg = shared.add(EmbeddedPostgres.start(dir.resolve("pg"), freePort()));
        HikariDataSource ds = shared.add(Database.open(pg.jdbcUrl(), pg.user(), pg.password(), 4));
        metadata = new MetadataStore(ds);
        embedder = shared.add(OnnxEmbedder.bundled(dir.resolve("models"), 1));
        search = shared.add(new SearchNode(bootstrap, dir.resolve("index"), "127.0.0.1", freePort(), ds, embedder,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> true));
        seedActiveDocuments();
    }

    @AfterAll
    void stop() {
        shared.close();
    }

    @BeforeEach
    void startWorker() {
        env = TestWorkflowEnvironment.newInstance();
        Worker worker = env.newWorker(ReindexWorkflow.TASK_QUEUE);
        worker.registerWorkflowImplementationFactory(ReindexWorkflow.class, () -> new ReindexWorkflowImpl(SETTINGS));
        worker.registerActivitiesImplementations(new ReindexActivitiesImpl(shared.add(new GenerationLog(bootstrap)),
                shared.add(new ChunkRepublisher(bootstrap, metadata)), metadata, search.generations()));
        env.start();
        client = env.getWorkflowClient();
    }

    @AfterEach
    void stopWorker() {
        env.close();
    }

    @Test
    @Order(1)
    void aGenerationThatNeverFillsIsDroppedAndTheOldOneKeepsServing() {
        // no embedding worker runs: the republished chunks are never embedded
        ReindexWorkflow reindex = stub("reindex/never-fills");
        assertThatThrownBy(() -> reindex.run(new ReindexRequest("test", null, null, 10, null, null)))
                .isInstanceOf(WorkflowFailedException.class);

        ReindexProgress progress = reindex.progress();
        assertThat(progress.phase()).isEqualTo(ReindexPhase.FAILED);
        assertThat(progress.generation()).isEqualTo(2);
        assertThat(progress.chunksRepublished()).isEqualTo(DOCUMENTS);
        assertThat(progress.chunksIndexed()).isZero();
        assertThat(progress.expectedChunks()).isEqualTo(DOCUMENTS);
        assertThat(progress.detail()).contains("holds only 0 of " + DOCUMENTS).contains("PT10M");
        // never switched: generation 1 serves, generation 2 is dropped everywhere
        IndexGenerations generations = GenerationLog.readLatest(bootstrap).orElseThrow();
        assertThat(generations.serving()).isEqualTo(1);
        assertThat(generations.building()).isNull();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(search.generations().generations().building()).isNull();
            assertThat(dir.resolve("index-gen-2")).doesNotExist();
        });
        assertThat(search.generations().generations().serving()).isEqualTo(1);
        assertThat(search.index().activeChunks()).isEqualTo(DOCUMENTS);
    }

    @Test
    @Order(2)
    void aGenerationThatFillsServesAfterTheSwitchAndProgressSurvivesContinueAsNew() {
        shared.add(new EmbedderNode(bootstrap, embedder, "reindex-test", 4, new SimpleMeterRegistry()));
        ReindexWorkflow reindex = stub("reindex/fills");
        // a day of workflow time: each one-minute pause between checks passes at once, embedding takes real seconds
        ReindexProgress result = reindex.run(new ReindexRequest("test", null, null, 24 * 60, null, null));

        assertThat(result.phase()).isEqualTo(ReindexPhase.DONE);
        assertThat(result.generation()).as("numbers are never reused").isEqualTo(3);
        // how many records a batch reads depends on how the chunks spread over partitions: at least two runs
        assertThat(result.runs()).as("runs (continue-as-new)").isGreaterThanOrEqualTo(2);
        assertThat(result.chunksScanned()).isGreaterThanOrEqualTo(DOCUMENTS);
        // counted across runs (one run alone republishes at most 4); more than DOCUMENTS when the worker
        // embedded the chunks the first test republished before this re-index began: the log then holds
        // two records of those chunks until compaction, and both are republished (harmless upserts)
        assertThat(result.chunksRepublished()).as("counted across runs").isGreaterThanOrEqualTo(DOCUMENTS);
        assertThat(result.chunksIndexed()).isEqualTo(DOCUMENTS);
        assertThat(result.expectedChunks()).isEqualTo(DOCUMENTS);
        assertThat(reindex.progress()).isEqualTo(result);

        assertThat(GenerationLog.readLatest(bootstrap).orElseThrow().serving()).isEqualTo(3);
        assertThat(search.generations().generations().serving()).isEqualTo(3);
        assertThat(search.index().path()).isEqualTo(dir.resolve("index-gen-3"));
        assertThat(dir.resolve("index")).doesNotExist();
        assertThat(search.index().activeChunks()).isEqualTo(DOCUMENTS);
    }

    private ReindexWorkflow stub(String id) {
        return client.newWorkflowStub(ReindexWorkflow.class, WorkflowOptions.newBuilder()
                .setTaskQueue(ReindexWorkflow.TASK_QUEUE).setWorkflowId(id).build());
    }

    /** Active one-chunk documents, as the lifecycle leaves them: an embedding, an active version, its snapshot. */
    private void seedActiveDocuments() throws Exception {
        try (KafkaStatePublisher states = new KafkaStatePublisher(bootstrap);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < DOCUMENTS; i++) {
                String id = "doc-" + i;
                ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, "t", id, 1, ChunkEvent.chunkId("t", id, 1, 0), 0, 1,
                        "Doc " + i, "Document number " + i + " about re-indexing.", null, "en", Map.of());
                EmbeddingEvent embedding = EmbeddingEvent.of(chunk, embedder.modelId(), embedder.embedPassages(java.util.List.of(chunk.embeddingText())).get(0),
                        false);
                producer.send(new ProducerRecord<>(Topics.EMBEDDINGS, chunk.chunkId().getBytes(StandardCharsets.UTF_8),
                        Json.write(embedding))).get();
                metadata.recordChunked(new LifecycleEvent(LifecycleEvent.SCHEMA, LifecycleEvent.LifecycleOp.INDEX, "t", id,
                        1, 1, "h" + i, "Doc " + i, null, "en", Map.of(), System.currentTimeMillis()));
                metadata.activate("t", id, 1, 1, states);
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> search.index().activeChunks() == DOCUMENTS);
    }

    private static int freePort() throws IOException {
        return FreePorts.next();
    }
}
