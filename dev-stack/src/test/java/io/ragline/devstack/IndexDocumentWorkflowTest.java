package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.core.event.LifecycleEvent;
import io.ragline.core.metrics.MetricNames;
import io.ragline.core.store.Database;
import io.ragline.core.store.MetadataStore;
import io.ragline.core.store.StatePublisher;
import io.ragline.ingest.lifecycle.DocumentLifecycleActivitiesImpl;
import io.ragline.ingest.lifecycle.IndexDocumentWorkflow;
import io.ragline.ingest.lifecycle.IndexDocumentWorkflowImpl;
import io.ragline.ingest.lifecycle.LifecycleProgress;
import io.ragline.ingest.lifecycle.LifecycleSettings;
import io.ragline.search.index.ChunkHit;
import io.ragline.search.index.LuceneIndex;
import io.ragline.search.index.SearchMode;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The document lifecycle on Temporal's time-skipping test environment, with the real activities
 * over a real PostgreSQL and a real Lucene index. Only the log between them is short-cut: state
 * snapshots are applied to the index directly, as the indexer would apply them from Kafka.
 */
class IndexDocumentWorkflowTest {
    /** No re-drives here (ChunkRedriveTest covers them, through Kafka). */
    private static final LifecycleSettings SETTINGS =
            new LifecycleSettings(Duration.ofMinutes(5), Duration.ofMillis(50), Duration.ofSeconds(30), 0);

    @TempDir
    static Path dir;
    private static EmbeddedPostgres postgres;
    private static HikariDataSource dataSource;

    @TempDir
    Path indexDir;
    private LuceneIndex index;
    private MetadataStore metadata;
    private TestWorkflowEnvironment env;
    private WorkflowClient client;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void startPostgres() throws IOException {
        int port = FreePorts.next();
        postgres = EmbeddedPostgres.start(dir.resolve("pg"), port);
        dataSource = Database.open(postgres.jdbcUrl(), postgres.user(), postgres.password(), 4);
    }

    @AfterAll
    static void stopPostgres() {
        dataSource.close();
        postgres.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        try (var c = dataSource.getConnection()) {
            c.createStatement().execute("TRUNCATE documents");
        }
        index = new LuceneIndex(indexDir);
        metadata = new MetadataStore(dataSource);
        StatePublisher toIndex = state -> {
            try {
                index.apply(state);
                index.refresh();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        env = TestWorkflowEnvironment.newInstance();
        Worker worker = env.newWorker(IndexDocumentWorkflow.TASK_QUEUE);
        worker.registerWorkflowImplementationFactory(IndexDocumentWorkflow.class, () -> new IndexDocumentWorkflowImpl(SETTINGS));
        worker.registerActivitiesImplementations(new DocumentLifecycleActivitiesImpl(metadata, index, toIndex, null, registry));
        env.start();
        client = env.getWorkflowClient();
    }

    @AfterEach
    void tearDown() throws IOException {
        env.close();
        index.close();
    }

    @Test
    void aVersionWhoseChunksAreIndexedBecomesActiveAndSearchable() throws Exception {
        indexChunks("doc", 1, 2, "heron");
        LifecycleProgress result = run(event("doc", 1, 2, LifecycleEvent.LifecycleOp.INDEX));

        assertThat(result.status()).isEqualTo(DocumentStatus.ACTIVE);
        assertThat(result.indexedChunks()).isEqualTo(2);
        assertThat(metadata.find("t", "doc").orElseThrow().status()).isEqualTo(DocumentStatus.ACTIVE);
        assertThat(search("heron")).extracting(ChunkHit::version).containsExactly(1L);
    }

    @Test
    void aNewerVersionSupersedesAnOlderOneInFlightAndReplacesItAtomically() throws Exception {
        indexChunks("doc", 1, 1, "osprey");
        run(event("doc", 1, 1, LifecycleEvent.LifecycleOp.INDEX));

        metadata.recordChunked(event("doc", 2, 1, LifecycleEvent.LifecycleOp.INDEX));
        metadata.recordChunked(event("doc", 3, 2, LifecycleEvent.LifecycleOp.INDEX));
        indexChunks("doc", 2, 1, "osprey");
        indexChunks("doc", 3, 2, "osprey");
        LifecycleProgress v3 = run(event("doc", 3, 2, LifecycleEvent.LifecycleOp.INDEX));
        LifecycleProgress v2 = run(event("doc", 2, 1, LifecycleEvent.LifecycleOp.INDEX)); // arrives late

        assertThat(v3.status()).isEqualTo(DocumentStatus.ACTIVE);
        assertThat(v2.superseded()).isTrue();
        assertThat(metadata.find("t", "doc").orElseThrow().activeVersion()).isEqualTo(3);
        assertThat(search("osprey")).extracting(ChunkHit::version).containsOnly(3L);
        assertThat(index.indexedChunks("t", "doc", 1)).isZero();
    }

    @Test
    void aDeleteRemovesEveryChunkFromSearch() throws Exception {
        indexChunks("doc", 1, 3, "egret");
        run(event("doc", 1, 3, LifecycleEvent.LifecycleOp.INDEX));
        LifecycleProgress deleted = run(event("doc", 2, 0, LifecycleEvent.LifecycleOp.DELETE));

        assertThat(deleted.status()).isEqualTo(DocumentStatus.DELETED);
        assertThat(search("egret")).isEmpty();
        assertThat(index.indexedChunks("t", "doc", 1)).isZero();
        assertThat(metadata.find("t", "doc").orElseThrow().status()).isEqualTo(DocumentStatus.DELETED);
    }

    @Test
    void aVersionMissingChunksPastTheTimeoutFailsVisiblyAndThePreviousVersionStaysServed() throws Exception {
        indexChunks("doc", 1, 1, "plover");
        run(event("doc", 1, 1, LifecycleEvent.LifecycleOp.INDEX));
        indexChunks("doc", 2, 1, "plover"); // one of three chunks: the other two never come

        long start = env.currentTimeMillis();
        LifecycleProgress result = run(event("doc", 2, 3, LifecycleEvent.LifecycleOp.INDEX));

        assertThat(env.currentTimeMillis() - start).isGreaterThanOrEqualTo(SETTINGS.indexTimeout().toMillis());
        assertThat(result.status()).isEqualTo(DocumentStatus.FAILED);
        assertThat(result.reason()).contains("only 1 of 3 chunks");
        var row = metadata.find("t", "doc").orElseThrow();
        assertThat(row.status()).isEqualTo(DocumentStatus.FAILED);
        assertThat(row.reason()).contains("only 1 of 3 chunks");
        assertThat(registry.get(MetricNames.DOCUMENTS_FAILED).counter().count()).isEqualTo(1);
        assertThat(search("plover")).extracting(ChunkHit::version).containsExactly(1L);
    }

    @Test
    void aRedeliveredEventCannotStartATwin() {
        indexChunks("doc", 1, 1, "ibis");
        LifecycleEvent event = event("doc", 1, 1, LifecycleEvent.LifecycleOp.INDEX);
        run(event);
        IndexDocumentWorkflow twin = client.newWorkflowStub(IndexDocumentWorkflow.class, options(event));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WorkflowClient.start(twin::run, event))
                .isInstanceOf(io.temporal.client.WorkflowExecutionAlreadyStarted.class);
    }

    private LifecycleProgress run(LifecycleEvent event) {
        if (event.op() == LifecycleEvent.LifecycleOp.INDEX) {
            metadata.recordChunked(event);
        } else {
            metadata.recordDeleteRequested(event.tenant(), event.documentId(), event.version());
        }
        return client.newWorkflowStub(IndexDocumentWorkflow.class, options(event)).run(event);
    }

    private static WorkflowOptions options(LifecycleEvent event) {
        return WorkflowOptions.newBuilder()
                .setTaskQueue(IndexDocumentWorkflow.TASK_QUEUE)
                .setWorkflowId(IndexDocumentWorkflow.workflowId(event.tenant(), event.documentId(), event.version()))
                .setWorkflowIdReusePolicy(io.temporal.api.enums.v1.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .build();
    }

    private void indexChunks(String id, long version, int count, String word) {
        try {
            for (int seq = 0; seq < count; seq++) {
                ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, "t", id, version, ChunkEvent.chunkId("t", id, version, seq),
                        seq, count, "Birds", "A note about the " + word + ", part " + seq + ".", null, "en", Map.of());
                float[] v = new float[8];
                v[seq % 8] = 1;
                index.upsert(EmbeddingEvent.of(chunk, "test", v, false));
            }
            index.refresh();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<ChunkHit> search(String word) throws IOException {
        return index.search("t", word, null, SearchMode.KEYWORD, 10);
    }

    private static LifecycleEvent event(String id, long version, int chunks, LifecycleEvent.LifecycleOp op) {
        return new LifecycleEvent(LifecycleEvent.SCHEMA, op, "t", id, version, chunks, "h" + version, "Birds", null, "en",
                Map.of(), 0);
    }
}
