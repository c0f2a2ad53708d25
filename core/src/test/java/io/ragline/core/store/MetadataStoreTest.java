package io.ragline.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.LifecycleEvent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real PostgreSQL with the real Flyway migrations. */
class MetadataStoreTest {
    private static EmbeddedPostgres postgres;
    private static HikariDataSource dataSource;

    private final List<DocumentState> published = new ArrayList<>();
    private final StatePublisher publisher = published::add;
    private MetadataStore store;

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
    }

    @Test
    void activationPublishesASnapshotAndConfirmationMakesItActive() {
        store.recordChunked(event("doc", 1, 3));
        DocumentState state = store.activate("t", "doc", 1, 3, publisher);

        assertThat(state.status()).isEqualTo(DocumentStatus.ACTIVE);
        assertThat(state.activeVersion()).isEqualTo(1);
        assertThat(published).containsExactly(state);
        assertThat(store.find("t", "doc").orElseThrow().status()).isEqualTo(DocumentStatus.EMBEDDED);
        assertThat(store.stats("t").pending()).isEqualTo(1);

        assertThat(store.confirmActive("t", "doc", 1)).isTrue();
        DocumentRecord row = store.find("t", "doc").orElseThrow();
        assertThat(row.status()).isEqualTo(DocumentStatus.ACTIVE);
        assertThat(row.activeChunkCount()).isEqualTo(3);
        assertThat(store.stats("t")).isEqualTo(new DocumentStats(1, 0, 0, 0, 3));
    }

    @Test
    void aNewerVersionSupersedesAnOlderOneStillInFlight() {
        store.recordChunked(event("doc", 1, 1));
        store.recordChunked(event("doc", 2, 1));
        store.recordChunked(event("doc", 1, 1)); // redelivered older event: ignored

        DocumentState old = store.activate("t", "doc", 1, 1, publisher);
        assertThat(old.activeVersion()).isNotEqualTo(1);
        assertThat(published).isEmpty();

        DocumentState current = store.activate("t", "doc", 2, 1, publisher);
        assertThat(current.activeVersion()).isEqualTo(2);
        assertThat(current.revision()).isGreaterThan(0);
    }

    @Test
    void deleteEndsServingAndAnActivationRetryAfterItChangesNothing() {
        store.recordChunked(event("doc", 1, 2));
        store.activate("t", "doc", 1, 2, publisher);
        store.confirmActive("t", "doc", 1);
        store.recordDeleteRequested("t", "doc", 2);
        assertThat(store.pendingVersions()).extracting(LifecycleEvent::op).containsExactly(LifecycleEvent.LifecycleOp.DELETE);

        DocumentState deleted = store.markDeleted("t", "doc", 2, publisher);
        assertThat(deleted.status()).isEqualTo(DocumentStatus.DELETED);
        assertThat(deleted.activeVersion()).isZero();
        assertThat(deleted.revision()).isGreaterThan(published.getFirst().revision());
        assertThat(store.activate("t", "doc", 1, 2, publisher).activeVersion()).isZero();
        assertThat(store.stats("t")).isEqualTo(new DocumentStats(0, 0, 0, 1, 0));
        assertThat(store.pendingVersions()).isEmpty();
    }

    @Test
    void aFailedVersionKeepsThePreviousVersionServed() {
        store.recordChunked(event("doc", 1, 1));
        store.activate("t", "doc", 1, 1, publisher);
        store.confirmActive("t", "doc", 1);
        store.recordChunked(event("doc", 2, 4));

        DocumentState failed = store.markFailed("t", "doc", 2, "only 3 of 4 chunks", publisher);
        assertThat(failed.status()).isEqualTo(DocumentStatus.FAILED);
        assertThat(failed.activeVersion()).isEqualTo(1);
        assertThat(store.find("t", "doc").orElseThrow().reason()).isEqualTo("only 3 of 4 chunks");
        assertThat(store.stats("t").failed()).isEqualTo(1);
    }

    @Test
    void aFailingPublishRollsTheChangeBack() {
        store.recordChunked(event("doc", 1, 1));
        assertThatThrownBy(() -> store.activate("t", "doc", 1, 1, s -> {
            throw new IllegalStateException("broker down");
        })).hasMessageContaining("broker down");
        assertThat(store.find("t", "doc").orElseThrow().activeVersion()).isZero();
        assertThat(store.pendingVersions()).extracting(LifecycleEvent::version).containsExactly(1L);
    }

    @Test
    void tenantsHaveTheirOwnStats() {
        store.recordChunked(event("doc", 1, 1));
        assertThat(store.stats("other")).isEqualTo(new DocumentStats(0, 0, 0, 0, 0));
        assertThat(store.find("other", "doc")).isEmpty();
    }

    private static LifecycleEvent event(String id, long version, int chunks) {
        return new LifecycleEvent(LifecycleEvent.SCHEMA, LifecycleEvent.LifecycleOp.INDEX, "t", id, version, chunks,
                "hash" + version, "Title", "src", "en", Map.of("k", "v"), 0);
    }
}
