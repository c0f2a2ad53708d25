package io.ragline.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.LifecycleEvent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fleet-wide pause against a real PostgreSQL, with the real migrations and real lock waits. */
class IngestionPauseTest {
    private static EmbeddedPostgres postgres;
    private static HikariDataSource dataSource;

    private final List<DocumentState> published = new CopyOnWriteArrayList<>();
    private MetadataStore store;
    private IngestionPause pause;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        dataSource = Database.open(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres", 4);
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        dataSource.close();
        postgres.close();
    }

    @BeforeEach
    void clean() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.createStatement().execute("TRUNCATE documents");
        }
        store = new MetadataStore(dataSource);
        pause = new IngestionPause(dataSource);
    }

    @AfterEach
    void lift() {
        pause.resume();
    }

    @Test
    void whilePausedEveryKindOfWriteIsRefusedAndChangesNothingThenResumeAdmitsThemAgain() {
        store.recordChunked(event("doc", 1));
        store.activate("t", "doc", 1, 2, published::add);
        assertThat(pause.pausedBecause()).isEmpty();

        pause.pause("ops worker 1", "restore of backup b-1");
        assertThat(pause.pausedBecause()).contains("restore of backup b-1 (ops worker 1)");
        List<Runnable> writes = List.of(
                () -> store.recordChunked(event("doc", 2)),
                () -> store.recordChunked(event("other", 1)),
                () -> store.recordDeleteRequested("t", "doc", 3),
                () -> store.activate("t", "doc", 1, 2, published::add),
                () -> store.confirmActive("t", "doc", 1),
                () -> store.markDeleted("t", "doc", 3, published::add),
                () -> store.markFailed("t", "doc", 1, "x", published::add));
        int publishedBefore = published.size();
        for (Runnable write : writes) {
            assertThatThrownBy(write::run).isInstanceOf(IngestionPausedException.class)
                    .hasMessageContaining("restore of backup b-1");
        }
        assertThat(published).hasSize(publishedBefore);
        DocumentRecord row = store.find("t", "doc").orElseThrow();
        assertThat(row.version()).isEqualTo(1);
        assertThat(row.status()).isEqualTo(DocumentStatus.EMBEDDED);
        assertThat(store.find("t", "other")).isEmpty();

        pause.resume();
        store.confirmActive("t", "doc", 1);
        store.markDeleted("t", "doc", 3, published::add);
        assertThat(store.find("t", "doc").orElseThrow().status()).isEqualTo(DocumentStatus.DELETED);
    }

    @Test
    void aPauseWaitsForTheWriteInFlightAndThatWriteCommitsWithItsState() throws Exception {
        store.recordChunked(event("doc", 1));
        CountDownLatch publishing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // the activation holds its transaction open while it publishes the state, as the Kafka send does
        // threads of their own: the common pool may have a single one on a small machine
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CompletableFuture<DocumentState> write = CompletableFuture.supplyAsync(() -> store.activate("t", "doc", 1, 2, s -> {
            publishing.countDown();
            awaitRelease(release);
            published.add(s);
        }), threads);
        assertThat(publishing.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> pausing = CompletableFuture.runAsync(() -> pause.pause("ops", "restore"), threads);
        // the pause is queued behind the write's lock on documents, not done
        await().atMost(Duration.ofSeconds(30)).until(() -> waitingLocksOnDocuments() > 0);
        assertThat(pausing).isNotDone();

        release.countDown();
        pausing.get(30, TimeUnit.SECONDS);
        assertThat(write.get(30, TimeUnit.SECONDS).activeVersion()).isEqualTo(1);
        assertThat(published).hasSize(1);
        assertThat(store.find("t", "doc").orElseThrow().activeVersion()).isEqualTo(1);
        assertThatThrownBy(() -> store.confirmActive("t", "doc", 1)).isInstanceOf(IngestionPausedException.class);
        threads.shutdown();
    }

    @Test
    void pausingTwiceKeepsTheFirstSinceAndOneResumeLiftsIt() throws Exception {
        pause.pause("a", "first");
        java.sql.Timestamp since = since();
        pause.pause("b", "second");
        assertThat(since()).isEqualTo(since);
        assertThat(pause.pausedBecause()).contains("second (b)");
        pause.resume();
        assertThat(pause.pausedBecause()).isEmpty();
        store.recordChunked(event("doc", 1));
        assertThat(store.find("t", "doc")).isPresent();
    }

    private static java.sql.Timestamp since() throws Exception {
        try (Connection c = dataSource.getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT since FROM ingestion_pause WHERE id = 1")) {
            rs.next();
            return rs.getTimestamp(1);
        }
    }

    private static long waitingLocksOnDocuments() throws Exception {
        try (Connection c = dataSource.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'documents'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitRelease(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static LifecycleEvent event(String id, long version) {
        return new LifecycleEvent(LifecycleEvent.SCHEMA, LifecycleEvent.LifecycleOp.INDEX, "t", id, version, 2,
                "hash" + version, "Title", "src", "en", Map.of(), 0);
    }
}
