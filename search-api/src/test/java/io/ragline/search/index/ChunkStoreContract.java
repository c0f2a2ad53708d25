package io.ragline.search.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.core.model.OnnxEmbedder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every chunk store must do, whatever engine is behind it: versions appear whole and only
 * once activated, deletes remove everything, tenants never see each other, filters and pages
 * behave alike in every mode. Real bge-small vectors; each test writes under tenants of its own,
 * so one store serves the whole class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ChunkStoreContract {
    private OnnxEmbedder embedder;
    private ChunkIndex store;
    private final AtomicInteger tenants = new AtomicInteger();
    private final AtomicInteger revisions = new AtomicInteger();

    /**
     * Opens an empty store for vectors of {@code dimension}, closed after the class; {@code scratch}
     * is a directory it may use, deleted after that.
     */
    protected abstract ChunkIndex open(int dimension, Path scratch) throws Exception;

    @BeforeAll
    void openStore(@TempDir Path scratch) throws Exception {
        embedder = OnnxEmbedder.bundled(Path.of("target", "model-cache"), 1);
        store = open(embedder.dimension(), scratch);
    }

    @AfterAll
    void closeStore() throws IOException {
        if (store != null) {
            store.close();
        }
        if (embedder != null) {
            embedder.close();
        }
    }

    @Test
    void anUpsertedChunkIsInvisibleUntilItsVersionIsActivated() throws IOException {
        String t = tenant();
        upsert(t, "granite", 1, "Granite is an igneous rock that cools slowly deep underground.");
        refresh();
        assertThat(store.indexedChunks(t, "granite", 1)).isEqualTo(1);
        for (SearchMode mode : SearchMode.values()) {
            assertThat(search(t, mode, "granite igneous rock")).as(mode.name()).isEmpty();
        }
        activate(t, "granite", 1);
        for (SearchMode mode : SearchMode.values()) {
            assertThat(search(t, mode, "granite igneous rock")).as(mode.name())
                    .extracting(ChunkHit::chunkId).containsExactly(ChunkEvent.chunkId(t, "granite", 1, 0));
        }
    }

    @Test
    void activatingVersionTwoHidesVersionOneCompletely() throws IOException {
        String t = tenant();
        upsert(t, "heron", 1, 0, 2, "The grey heron wades through the marsh and spears fish.", List.of(), null);
        upsert(t, "heron", 1, 1, 2, "Herons nest in colonies high in the trees.", List.of(), null);
        activate(t, "heron", 1);
        upsert(t, "heron", 2, "The grey heron, revised: it wades through marshes and spears fish.");
        refresh();
        // the pending version 2 does not leak while version 1 is served
        assertThat(versions(t, "heron fish marsh")).containsOnly(1L);

        activate(t, "heron", 2);
        assertThat(versions(t, "heron fish marsh")).containsOnly(2L);
        assertThat(search(t, SearchMode.KEYWORD, "colonies trees", Granularity.CHUNK)).isEmpty();
        assertThat(store.indexedChunks(t, "heron", 1)).isZero();
    }

    @Test
    void aDeleteRemovesEveryChunkAndLateChunksStayOut() throws IOException {
        String t = tenant();
        upsert(t, "cobalt", 1, 0, 2, "Cobalt is mined in the copper belt.", List.of(), null);
        upsert(t, "cobalt", 1, 1, 2, "Cobalt blue pigment colours porcelain.", List.of(), null);
        activate(t, "cobalt", 1);
        store.apply(new DocumentState(DocumentState.SCHEMA, t, "cobalt", DocumentStatus.DELETED, 2, 0, 0,
                revisions.incrementAndGet(), null, 0));
        // redelivered after the delete
        upsert(t, "cobalt", 1, 1, 2, "Cobalt blue pigment colours porcelain.", List.of(), null);
        refresh();
        for (SearchMode mode : SearchMode.values()) {
            assertThat(search(t, mode, "cobalt blue pigment", Granularity.CHUNK)).as(mode.name()).isEmpty();
        }
        assertThat(store.indexedChunks(t, "cobalt", 1)).isZero();
    }

    @ParameterizedTest
    @EnumSource(SearchMode.class)
    void aTenantNeverSeesAnotherTenantsChunks(SearchMode mode) throws IOException {
        String mine = tenant();
        String theirs = tenant();
        for (String t : List.of(mine, theirs)) {
            for (int i = 0; i < 4; i++) {
                upsert(t, "kestrel-" + i, 1, 0, 1, "Kestrel number " + i + " hovers over the meadow hunting voles.",
                        List.of("birds"), "field-notes");
                activate(t, "kestrel-" + i, 1);
            }
        }
        SearchFilters birds = new SearchFilters(List.of("birds"), List.of("field-notes"), Map.of(), null, null);
        for (int offset = 0; offset < 4; offset += 2) {
            SearchPage page = store.search(new ChunkQuery(mine, "kestrel hovering over a meadow",
                    vector("kestrel hovering over a meadow"), mode, birds, offset, 2, Granularity.DOCUMENT, Fusion.defaults()));
            assertThat(page.hits()).hasSize(2).allSatisfy(h -> assertThat(h.tenant()).isEqualTo(mine));
        }
        assertThat(search(theirs, mode, "kestrel")).allSatisfy(h -> assertThat(h.tenant()).isEqualTo(theirs));
        assertThat(search(tenant(), mode, "kestrel")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(SearchMode.class)
    void eachFilterKindRestrictsTheResults(SearchMode mode) throws IOException {
        String t = tenant();
        upsert(t, "heron", 1, 0, 1, "The grey heron spears fish in the marsh.", List.of("birds", "wetland"),
                "field-notes", Map.of("team", "ornithology", "year", 2024), Instant.parse("2024-03-01T00:00:00Z"));
        upsert(t, "kingfisher", 1, 0, 1, "The kingfisher dives into the river for fish.", List.of("birds"),
                "blog", Map.of("team", "ornithology", "year", 2025), Instant.parse("2025-06-01T00:00:00Z"));
        upsert(t, "trout", 1, 0, 1, "Trout are fish of cold clear rivers.", List.of("fish"),
                "field-notes", Map.of("team", "ichthyology", "year", 2025), Instant.parse("2025-01-15T00:00:00Z"));
        for (String id : List.of("heron", "kingfisher", "trout")) {
            activate(t, id, 1);
        }
        String q = "fish";
        assertThat(ids(filtered(t, mode, q, new SearchFilters(List.of("birds", "wetland"), List.of(), Map.of(), null, null))))
                .containsExactly("heron");
        assertThat(ids(filtered(t, mode, q, new SearchFilters(List.of(), List.of("blog", "nowhere"), Map.of(), null, null))))
                .containsExactly("kingfisher");
        assertThat(ids(filtered(t, mode, q, new SearchFilters(List.of(), List.of(), Map.of("team", "ornithology", "year", "2025"),
                null, null)))).containsExactly("kingfisher");
        long jan15 = Instant.parse("2025-01-15T00:00:00Z").toEpochMilli();
        long jun1 = Instant.parse("2025-06-01T00:00:00Z").toEpochMilli();
        // both bounds are inclusive
        assertThat(ids(filtered(t, mode, q, new SearchFilters(List.of(), List.of(), Map.of(), jan15, jun1))))
                .containsExactlyInAnyOrder("kingfisher", "trout");
        assertThat(ids(filtered(t, mode, q, new SearchFilters(List.of(), List.of(), Map.of(), null, jan15 - 1))))
                .containsExactly("heron");
    }

    @ParameterizedTest
    @EnumSource(SearchMode.class)
    void pagesDoNotOverlapAndCoverTheRanking(SearchMode mode) throws IOException {
        String t = tenant();
        for (int i = 0; i < 5; i++) {
            upsert(t, "lake-" + i, 1, "Lake " + i + " is a deep glacial lake with cold water and trout.");
            activate(t, "lake-" + i, 1);
        }
        Set<String> seen = new HashSet<>();
        List<Boolean> more = new ArrayList<>();
        for (int offset = 0; offset < 6; offset += 2) {
            SearchPage page = store.search(new ChunkQuery(t, "glacial lake", vector("glacial lake"), mode,
                    SearchFilters.NONE, offset, 2, Granularity.DOCUMENT, Fusion.defaults()));
            for (ChunkHit hit : page.hits()) {
                assertThat(seen.add(hit.documentId())).as("%s repeated on the page at %d", hit.documentId(), offset).isTrue();
            }
            more.add(page.more());
        }
        assertThat(seen).hasSize(5);
        assertThat(more).containsExactly(true, true, false);
    }

    @Test
    void chunkGranularityListsEachChunkDocumentGranularityEachDocument() throws IOException {
        String t = tenant();
        upsert(t, "osprey", 1, 0, 2, "The osprey plunges feet first for fish.", List.of(), null);
        upsert(t, "osprey", 1, 1, 2, "Osprey chicks eat fish their parents bring.", List.of(), null);
        activate(t, "osprey", 1);
        assertThat(search(t, SearchMode.KEYWORD, "osprey fish", Granularity.CHUNK)).hasSize(2);
        assertThat(search(t, SearchMode.KEYWORD, "osprey fish", Granularity.DOCUMENT)).hasSize(1);
    }

    @Test
    void keywordSearchFindsAnExactRareWord() throws IOException {
        String t = tenant();
        corpus(t);
        assertThat(ids(search(t, SearchMode.KEYWORD, "zyxquartzite"))).containsExactly("specimen");
    }

    @Test
    void vectorSearchFindsTheNearestNeighbour() throws IOException {
        String t = tenant();
        corpus(t);
        assertThat(ids(search(t, SearchMode.VECTOR, "molten lava cooling into dark volcanic stone")).getFirst())
                .isEqualTo("basalt");
    }

    @Test
    void hybridSearchReturnsTheBestOfBothRetrievers() throws IOException {
        String t = tenant();
        corpus(t);
        String q = "zyxquartzite fermented dough";
        String byWords = ids(search(t, SearchMode.KEYWORD, q)).getFirst();
        String byMeaning = ids(search(t, SearchMode.VECTOR, q)).getFirst();
        assertThat(byWords).isEqualTo("specimen");
        assertThat(ids(search(t, SearchMode.HYBRID, q))).contains(byWords, byMeaning);
    }

    // --- fixtures

    private void corpus(String t) throws IOException {
        Map<String, String> texts = Map.of(
                "basalt", "Basalt forms when lava from a volcano cools quickly at the surface.",
                "bread", "Sourdough bread rises slowly with wild yeast and a long fermentation.",
                "cheese", "Aged cheddar develops a sharp flavour over many months in the cellar.",
                "match", "The goalkeeper saved a penalty in the final minute of the match.",
                "specimen", "The zyxquartzite specimen was catalogued in the museum archive.");
        for (Map.Entry<String, String> e : texts.entrySet()) {
            upsert(t, e.getKey(), 1, e.getValue());
            activate(t, e.getKey(), 1);
        }
    }

    private String tenant() {
        return "contract-" + ProcessHandle.current().pid() + "-" + tenants.incrementAndGet();
    }

    private void upsert(String t, String id, long version, String text) throws IOException {
        upsert(t, id, version, 0, 1, text, List.of(), null);
    }

    private void upsert(String t, String id, long version, int seq, int count, String text, List<String> tags,
                        String source) throws IOException {
        upsert(t, id, version, seq, count, text, tags, source, Map.of(), null);
    }

    private void upsert(String t, String id, long version, int seq, int count, String text, List<String> tags,
                        String source, Map<String, Object> metadata, Instant timestamp) throws IOException {
        ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, t, id, version, ChunkEvent.chunkId(t, id, version, seq), seq,
                count, null, text, source, "en", metadata, tags, timestamp == null ? null : timestamp.toEpochMilli());
        store.upsert(EmbeddingEvent.of(chunk, embedder.modelId(),
                embedder.embedPassages(List.of(chunk.embeddingText())).getFirst(), false));
    }

    private void activate(String t, String id, long version) throws IOException {
        store.apply(new DocumentState(DocumentState.SCHEMA, t, id, DocumentStatus.ACTIVE, version, version, 1,
                revisions.incrementAndGet(), null, 0));
        refresh();
    }

    private void refresh() throws IOException {
        store.refresh();
    }

    private float[] vector(String text) {
        return embedder.embedQuery(text);
    }

    private List<ChunkHit> search(String t, SearchMode mode, String text) throws IOException {
        return search(t, mode, text, Granularity.DOCUMENT);
    }

    private List<ChunkHit> search(String t, SearchMode mode, String text, Granularity granularity) throws IOException {
        return store.search(new ChunkQuery(t, text, vector(text), mode, SearchFilters.NONE, 0, 10,
                granularity, Fusion.defaults())).hits();
    }

    private List<ChunkHit> filtered(String t, SearchMode mode, String text, SearchFilters filters) throws IOException {
        return store.search(new ChunkQuery(t, text, vector(text), mode, filters, 0, 10,
                Granularity.DOCUMENT, Fusion.defaults())).hits();
    }

    /** Versions of every chunk any mode returns, chunk by chunk. */
    private Set<Long> versions(String t, String text) throws IOException {
        Set<Long> out = new HashSet<>();
        for (SearchMode mode : SearchMode.values()) {
            for (ChunkHit h : search(t, mode, text, Granularity.CHUNK)) {
                out.add(h.version());
            }
        }
        return out;
    }

    private static List<String> ids(List<ChunkHit> hits) {
        return hits.stream().map(ChunkHit::documentId).toList();
    }
}
