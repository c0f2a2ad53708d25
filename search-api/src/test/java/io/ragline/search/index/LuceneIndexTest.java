package io.ragline.search.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.EmbeddingEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneIndexTest {
    private static final int DIM = 8;

    @TempDir
    Path dir;

    @Test
    void aVersionIsInvisibleUntilActivatedAndActivationRemovesTheOldVersion() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir)) {
            index.upsert(chunk("acme", "doc", 1, 0, 2, "granite quarry report"));
            index.upsert(chunk("acme", "doc", 1, 1, 2, "second page of the granite report"));
            index.refresh();
            assertThat(index.indexedChunks("acme", "doc", 1)).isEqualTo(2);
            assertThat(keyword(index, "acme", "granite")).isEmpty();

            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 1, 1, 1));
            index.refresh();
            assertThat(index.appliedRevision("acme", "doc")).isEqualTo(1);
            assertThat(keyword(index, "acme", "granite")).extracting(ChunkHit::version).containsExactly(1L);

            index.upsert(chunk("acme", "doc", 2, 0, 1, "granite quarry report, revised"));
            index.refresh();
            // the pending version 2 does not leak into results while version 1 is served
            assertThat(keyword(index, "acme", "granite")).extracting(ChunkHit::version).containsExactly(1L);

            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 2, 2, 2));
            index.refresh();
            assertThat(keyword(index, "acme", "granite")).extracting(ChunkHit::chunkId).containsExactly("acme/doc#2#0");
            assertThat(index.indexedChunks("acme", "doc", 1)).isZero();
            assertThat(index.activeChunks()).isEqualTo(1);
        }
    }

    @Test
    void aRebuildAppliesStatesToAnEmptyIndexBeforeItsChunksArrive() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir)) {
            // as an indexer rebuilding from the logs: document states first, then the chunks
            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 1, 1, 1));
            index.upsert(chunk("acme", "doc", 1, 0, 1, "dolomite ridge"));
            index.refresh();
            assertThat(keyword(index, "acme", "dolomite")).extracting(ChunkHit::chunkId).containsExactly("acme/doc#1#0");
            assertThat(index.activeChunks()).isEqualTo(1);
        }
    }

    @Test
    void equalScoresRankAlikeWhateverOrderTheChunksWereIndexedIn() throws Exception {
        List<List<String>> rankings = new java.util.ArrayList<>();
        for (List<String> order : List.of(List.of("b", "a", "c"), List.of("c", "a", "b"))) {
            try (LuceneIndex index = new LuceneIndex(dir.resolve(String.join("", order)))) {
                long revision = 1;
                for (String id : order) {
                    index.upsert(chunk("acme", id, 1, 0, 1, "identical sandstone arch"));
                    index.apply(state("acme", id, DocumentStatus.ACTIVE, 1, 1, revision++));
                }
                index.refresh();
                rankings.add(keyword(index, "acme", "sandstone").stream().map(ChunkHit::documentId).toList());
            }
        }
        assertThat(rankings).containsOnly(List.of("a", "b", "c"));
    }

    @Test
    void staleSnapshotsAndChunksOfSupersededVersionsAreIgnored() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir)) {
            index.upsert(chunk("acme", "doc", 2, 0, 1, "basalt column"));
            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 2, 2, 5));
            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 1, 1, 4)); // older revision: ignored
            index.upsert(chunk("acme", "doc", 1, 0, 1, "basalt column, old")); // older than active: ignored
            index.refresh();
            assertThat(keyword(index, "acme", "basalt")).extracting(ChunkHit::chunkId).containsExactly("acme/doc#2#0");
            assertThat(index.appliedRevision("acme", "doc")).isEqualTo(5);
        }
    }

    @Test
    void aDeleteRemovesEveryChunkAndLateChunksStayOut() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir)) {
            index.upsert(chunk("acme", "doc", 1, 0, 2, "cobalt mine"));
            index.upsert(chunk("acme", "doc", 1, 1, 2, "cobalt mine two"));
            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 1, 1, 1));
            index.apply(state("acme", "doc", DocumentStatus.DELETED, 2, 0, 2));
            index.upsert(chunk("acme", "doc", 1, 1, 2, "cobalt mine two")); // redelivered after the delete
            index.refresh();
            assertThat(keyword(index, "acme", "cobalt")).isEmpty();
            assertThat(index.indexedChunks("acme", "doc", 1)).isZero();
        }
    }

    @Test
    void tenantsNeverSeeEachOthersChunksInAnyMode() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir)) {
            index.upsert(chunk("a", "doc", 1, 0, 1, "shared words about lanterns"));
            index.upsert(chunk("b", "doc", 1, 0, 1, "shared words about lanterns"));
            index.apply(state("a", "doc", DocumentStatus.ACTIVE, 1, 1, 1));
            index.apply(state("b", "doc", DocumentStatus.ACTIVE, 1, 1, 1));
            index.refresh();
            for (SearchMode mode : SearchMode.values()) {
                List<ChunkHit> hits = index.search("a", "lanterns", vector(0), mode, 10);
                assertThat(hits).as(mode.name()).extracting(ChunkHit::tenant).containsOnly("a");
                assertThat(hits).as(mode.name()).hasSize(1);
            }
        }
    }

    @Test
    void committedOffsetsSurviveReopeningAndAnEmptyIndexHasNone() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir)) {
            assertThat(index.committedOffsets()).isEmpty();
            index.upsert(chunk("acme", "doc", 1, 0, 1, "durable"));
            index.commit(Map.of("ragline.embeddings-0", 42L));
        }
        try (LuceneIndex reopened = new LuceneIndex(dir)) {
            assertThat(reopened.committedOffsets()).containsExactly(Map.entry("ragline.embeddings-0", 42L));
            reopened.refresh();
            assertThat(reopened.indexedChunks("acme", "doc", 1)).isEqualTo(1);
        }
    }

    @Test
    void aReplicaMissingChunksOfTheActivatedVersionKeepsServingThePreviousOneUntilItHoldsThemAll() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir)) {
            index.upsert(chunk("acme", "doc", 1, 0, 1, "basalt columns"));
            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 1, 1, 1, 1));
            index.upsert(chunk("acme", "doc", 2, 0, 3, "basalt columns, revised"));
            index.upsert(chunk("acme", "doc", 2, 2, 3, "basalt cooling cracks"));
            // activated elsewhere: another replica held all three chunks; this one holds two
            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 2, 2, 3, 2));
            index.refresh();
            assertThat(chunks(index, "acme", "basalt")).extracting(ChunkHit::version).containsOnly(1L);
            assertThat(index.appliedRevision("acme", "doc")).isEqualTo(1);

            index.upsert(chunk("acme", "doc", 2, 1, 3, "basalt from the lava flow"));
            index.refresh();
            assertThat(chunks(index, "acme", "basalt")).extracting(ChunkHit::chunkId)
                    .containsExactlyInAnyOrder("acme/doc#2#0", "acme/doc#2#1", "acme/doc#2#2");
            assertThat(index.indexedChunks("acme", "doc", 1)).isZero();
            assertThat(index.appliedRevision("acme", "doc")).isEqualTo(2);
        }
    }

    @Test
    void aRedeliveredChunkDoesNotCountTwice() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir)) {
            index.upsert(chunk("acme", "doc", 1, 0, 2, "gneiss bands"));
            index.upsert(chunk("acme", "doc", 1, 0, 2, "gneiss bands"));
            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 1, 1, 2, 1));
            index.refresh();
            assertThat(chunks(index, "acme", "gneiss")).isEmpty();

            index.upsert(chunk("acme", "doc", 1, 1, 2, "gneiss folds"));
            index.refresh();
            assertThat(chunks(index, "acme", "gneiss")).hasSize(2);
        }
    }

    @Test
    void chunksWrittenBeforeARestartCountTowardsTheActivation() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir)) {
            index.upsert(chunk("acme", "doc", 1, 0, 2, "schist outcrop"));
            index.commit(Map.of("ragline.embeddings-0", 1L));
        }
        try (LuceneIndex index = new LuceneIndex(dir)) {
            // the indexer re-applies the states at its start; one chunk of two is here, from before
            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 1, 1, 2, 1));
            index.refresh();
            assertThat(chunks(index, "acme", "schist")).isEmpty();

            index.upsert(chunk("acme", "doc", 1, 1, 2, "schist cliffs"));
            index.refresh();
            assertThat(chunks(index, "acme", "schist")).extracting(ChunkHit::chunkId)
                    .containsExactlyInAnyOrder("acme/doc#1#0", "acme/doc#1#1");
        }
    }

    @Test
    void statesReappliedAfterAResetSeeChunksWrittenWhileTheirVersionWasServed() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir)) {
            index.upsert(chunk("acme", "doc", 1, 0, 2, "slate roofs"));
            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 1, 1, 2, 1));
            // the version is served now: this chunk is written active, and not tracked
            index.upsert(chunk("acme", "doc", 1, 1, 2, "slate quarries"));
            index.resetStates();
            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 1, 1, 2, 1));
            // a redelivered chunk of the served version is written served, not held back
            index.upsert(chunk("acme", "doc", 1, 0, 2, "slate roofs"));
            index.refresh();
            assertThat(chunks(index, "acme", "slate")).extracting(ChunkHit::chunkId)
                    .containsExactlyInAnyOrder("acme/doc#1#0", "acme/doc#1#1");
            assertThat(index.appliedRevision("acme", "doc")).isEqualTo(1);
        }
    }

    @Test
    void aDeleteWhileAVersionWaitsForItsChunksRemovesEveryVersion() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir)) {
            index.upsert(chunk("acme", "doc", 1, 0, 1, "marble quarry"));
            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 1, 1, 1, 1));
            index.upsert(chunk("acme", "doc", 2, 0, 2, "marble quarry, revised"));
            index.apply(state("acme", "doc", DocumentStatus.ACTIVE, 2, 2, 2, 2));
            index.apply(state("acme", "doc", DocumentStatus.DELETED, 3, 0, 0, 3));
            index.upsert(chunk("acme", "doc", 2, 1, 2, "marble veins"));
            index.refresh();
            assertThat(chunks(index, "acme", "marble")).isEmpty();
            assertThat(index.indexedChunks("acme", "doc", 1)).isZero();
            assertThat(index.indexedChunks("acme", "doc", 2)).isZero();
            assertThat(index.appliedRevision("acme", "doc")).isEqualTo(3);
        }
    }

    /** Every matching chunk (not one per document): what a half-updated version would show. */
    static List<ChunkHit> chunks(LuceneIndex index, String tenant, String text) throws Exception {
        return index.search(new ChunkQuery(tenant, text, null, SearchMode.KEYWORD, SearchFilters.NONE, 0, 10,
                Granularity.CHUNK, Fusion.defaults())).hits();
    }

    private static List<ChunkHit> keyword(LuceneIndex index, String tenant, String text) throws Exception {
        return index.search(tenant, text, null, SearchMode.KEYWORD, 10);
    }

    static EmbeddingEvent chunk(String tenant, String id, long version, int seq, int count, String text) {
        ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, tenant, id, version,
                ChunkEvent.chunkId(tenant, id, version, seq), seq, count, "Title", text, "src", "en", Map.of());
        return EmbeddingEvent.of(chunk, "test", vector(seq), false);
    }

    private static float[] vector(int axis) {
        float[] v = new float[DIM];
        v[axis % DIM] = 1f;
        return v;
    }

    private static DocumentState state(String tenant, String id, DocumentStatus status, long version, long active,
                                       long revision) {
        return state(tenant, id, status, version, active, 1, revision);
    }

    /** @param chunks the active version's chunk count, as the lifecycle publishes it */
    static DocumentState state(String tenant, String id, DocumentStatus status, long version, long active,
                               int chunks, long revision) {
        return new DocumentState(DocumentState.SCHEMA, tenant, id, status, version, active, chunks, revision, null, 0);
    }
}
