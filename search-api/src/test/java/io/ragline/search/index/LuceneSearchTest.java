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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Filters, pages, granularity, ranks and snippets on a real index with real bge-small vectors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LuceneSearchTest {
    private OnnxEmbedder embedder;
    private LuceneIndex index;

    @BeforeAll
    void indexCorpus(@TempDir Path dir) throws IOException {
        embedder = OnnxEmbedder.bundled(Path.of("target", "model-cache"), 1);
        index = new LuceneIndex(dir);
        add("acme", "heron", "en", "The grey heron wades through the marsh and spears fish with its bill.",
                List.of("birds", "wetland"), "field-notes", Map.of("team", "ornithology", "year", 2024), "2024-03-01T00:00:00Z");
        add("acme", "kingfisher", "en", "Kingfishers dive from a perch into the river & catch <small> fish.",
                List.of("birds"), "blog", Map.of("team", "ornithology", "year", 2025), "2025-06-01T00:00:00Z");
        add("acme", "granite", "en", "Granite is an igneous rock that cools slowly deep underground.",
                List.of("geology"), "field-notes", Map.of("team", "geology", "year", 2025), "2025-01-15T00:00:00Z");
        add("acme", "osprey", "en", List.of(
                        "The osprey hovers over lakes before it plunges feet first for fish.",
                        "Ospreys build huge stick nests on poles and dead trees near water.",
                        "Osprey chicks fledge about eight weeks after hatching."),
                List.of("birds", "raptors"), "field-notes", Map.of("team", "ornithology"), "2023-07-01T00:00:00Z");
        add("acme", "commute", "ja", "東京都に住んでいる人々は毎朝電車で通勤しています。",
                List.of("transport"), "wiki-ja", Map.of(), "2025-02-01T00:00:00Z");
        add("acme", "library", "zh", "我们今天在北京大学图书馆学习人工智能。",
                List.of("study"), "wiki-zh", Map.of(), "2025-02-02T00:00:00Z");
        add("other", "heron", "en", "The grey heron wades through the marsh and spears fish with its bill.",
                List.of("birds", "wetland"), "field-notes", Map.of("team", "ornithology", "year", 2024), "2024-03-01T00:00:00Z");
        index.refresh();
    }

    @AfterAll
    void close() throws IOException {
        index.close();
        embedder.close();
    }

    @ParameterizedTest
    @EnumSource(SearchMode.class)
    void everyListedTagMustBePresentInEveryMode(SearchMode mode) throws IOException {
        assertThat(ids(search(mode, "birds that catch fish", filters(List.of("birds", "wetland"), List.of(), Map.of(), null, null))))
                .containsExactly("heron");
        assertThat(ids(search(mode, "birds that catch fish", filters(List.of("birds"), List.of(), Map.of(), null, null))))
                .containsExactlyInAnyOrder("heron", "kingfisher", "osprey");
    }

    @ParameterizedTest
    @EnumSource(SearchMode.class)
    void anyListedSourceMatches(SearchMode mode) throws IOException {
        assertThat(ids(search(mode, "fish rock", filters(List.of(), List.of("blog"), Map.of(), null, null))))
                .containsExactly("kingfisher");
        assertThat(ids(search(mode, "fish rock", filters(List.of(), List.of("blog", "field-notes"), Map.of(), null, null))))
                .containsExactlyInAnyOrder("heron", "kingfisher", "granite", "osprey");
    }

    @ParameterizedTest
    @EnumSource(SearchMode.class)
    void metadataMatchesEachKeyAsText(SearchMode mode) throws IOException {
        assertThat(ids(search(mode, "fish", filters(List.of(), List.of(), Map.of("team", "ornithology", "year", "2025"), null, null))))
                .containsExactly("kingfisher");
        assertThat(ids(search(mode, "fish", filters(List.of(), List.of(), Map.of("team", "nobody"), null, null)))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(SearchMode.class)
    void timestampBoundsAreInclusive(SearchMode mode) throws IOException {
        long from = Instant.parse("2025-01-15T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2025-06-01T00:00:00Z").toEpochMilli();
        assertThat(ids(search(mode, "fish rock", filters(List.of(), List.of("blog", "field-notes"), Map.of(), from, to))))
                .containsExactlyInAnyOrder("granite", "kingfisher");
        assertThat(ids(search(mode, "fish rock", filters(List.of(), List.of("blog", "field-notes"), Map.of(), from + 1, to - 1))))
                .isEmpty();
    }

    @ParameterizedTest
    @EnumSource(SearchMode.class)
    void aTenantWithoutDocumentsGetsNoResults(SearchMode mode) throws IOException {
        assertThat(store("nobody", mode, "heron", SearchFilters.NONE, 0, 10, Granularity.DOCUMENT).hits()).isEmpty();
    }

    @Test
    void filtersNeverReachAnotherTenant() throws IOException {
        SearchFilters herons = filters(List.of("birds", "wetland"), List.of("field-notes"), Map.of("team", "ornithology"), null, null);
        for (SearchMode mode : SearchMode.values()) {
            SearchPage page = store("other", mode, "heron", herons, 0, 10, Granularity.CHUNK);
            assertThat(page.hits()).as(mode.name()).extracting(ChunkHit::tenant).containsExactly("other");
        }
    }

    @ParameterizedTest
    @EnumSource(SearchMode.class)
    void pagesContinueEachOtherWithoutOverlap(SearchMode mode) throws IOException {
        List<String> all = chunkIds(store("acme", mode, "birds fishing in water", SearchFilters.NONE, 0, 100, Granularity.CHUNK).hits());
        assertThat(all).hasSizeGreaterThanOrEqualTo(4); // at least two pages
        List<String> paged = new ArrayList<>();
        int offset = 0;
        while (true) {
            SearchPage page = store("acme", mode, "birds fishing in water", SearchFilters.NONE, offset, 3, Granularity.CHUNK);
            paged.addAll(chunkIds(page.hits()));
            if (!page.more()) {
                break;
            }
            assertThat(page.hits()).hasSize(3);
            offset += 3;
        }
        assertThat(paged).isEqualTo(all).doesNotHaveDuplicates();
    }

    @Test
    void pagesOfOneTierShareTheirCandidateDepth() {
        // pages 1 and 2 of ten rank from the same candidates; page 3 looks deeper, and so do deep pages
        assertThat(PagedSearch.depth(page(0, 10))).isEqualTo(PagedSearch.depth(page(10, 10)))
                .isLessThan(PagedSearch.depth(page(20, 10)));
        assertThat(PagedSearch.depth(page(20, 10))).isEqualTo(PagedSearch.depth(page(90, 10)))
                .isLessThan(PagedSearch.depth(page(100, 10)));
        assertThat(PagedSearch.depth(page(990, 10))).isEqualTo(PagedSearch.depth(page(100, 10)));
        // documents have several chunks: document pages look at more chunks than chunk pages
        assertThat(PagedSearch.depth(page(0, 10))).isGreaterThan(PagedSearch.depth(
                new ChunkQuery("acme", "q", null, SearchMode.KEYWORD, SearchFilters.NONE, 0, 10, Granularity.CHUNK,
                        Fusion.defaults())));
    }

    private static ChunkQuery page(int offset, int topK) {
        return new ChunkQuery("acme", "q", null, SearchMode.KEYWORD, SearchFilters.NONE, offset, topK,
                Granularity.DOCUMENT, Fusion.defaults());
    }

    @Test
    void chunkGranularityListsEveryChunkDocumentGranularityTheBestOne() throws IOException {
        SearchFilters raptors = filters(List.of("raptors"), List.of(), Map.of(), null, null);
        SearchPage chunks = store("acme", SearchMode.HYBRID, "osprey", raptors, 0, 10, Granularity.CHUNK);
        assertThat(chunks.hits()).extracting(ChunkHit::chunkId)
                .containsExactlyInAnyOrder("acme/osprey#1#0", "acme/osprey#1#1", "acme/osprey#1#2");
        SearchPage documents = store("acme", SearchMode.HYBRID, "osprey", raptors, 0, 10, Granularity.DOCUMENT);
        assertThat(documents.hits()).extracting(ChunkHit::documentId).containsExactly("osprey");
        assertThat(documents.more()).isFalse();
    }

    @Test
    void matchedByGivesEachRetrieversOwnRank() throws IOException {
        String query = "kingfisher diving for fish";
        List<String> keyword = ids(search(SearchMode.KEYWORD, query, SearchFilters.NONE));
        List<String> vector = ids(search(SearchMode.VECTOR, query, SearchFilters.NONE));
        List<ChunkHit> hybrid = search(SearchMode.HYBRID, query, SearchFilters.NONE);
        assertThat(hybrid).hasSizeGreaterThan(2);
        assertThat(hybrid.getFirst().matchedBy()).containsOnlyKeys("keyword", "vector");
        for (ChunkHit hit : hybrid) {
            int k = keyword.indexOf(hit.documentId());
            int v = vector.indexOf(hit.documentId());
            assertThat(hit.matchedBy().get("keyword")).as(hit.documentId()).isEqualTo(k < 0 ? null : k + 1);
            assertThat(hit.matchedBy().get("vector")).as(hit.documentId()).isEqualTo(v < 0 ? null : v + 1);
        }
        assertThat(search(SearchMode.KEYWORD, query, SearchFilters.NONE))
                .allSatisfy(hit -> assertThat(hit.matchedBy()).containsOnlyKeys("keyword"));
    }

    @Test
    void snippetsMarkMatchedTermsAndEscapeTheText() throws IOException {
        ChunkHit kingfisher = search(SearchMode.KEYWORD, "kingfisher river", SearchFilters.NONE).getFirst();
        assertThat(kingfisher.documentId()).isEqualTo("kingfisher");
        assertThat(kingfisher.snippet())
                .contains("<em>Kingfishers</em>", "<em>river</em>", "&amp;", "&lt;small&gt;")
                .doesNotContain("<small>");
    }

    @Test
    void aHitFoundOnlyByMeaningHasAPlainLeadingSnippet() throws IOException {
        // no word of the query occurs in the granite document, but its meaning is closest
        ChunkHit rock = search(SearchMode.VECTOR, "magma that solidified", SearchFilters.NONE).getFirst();
        assertThat(rock.documentId()).isEqualTo("granite");
        assertThat(rock.matchedBy()).containsOnlyKeys("vector");
        assertThat(rock.snippet()).startsWith("Granite is an igneous rock").doesNotContain("<em>");
    }

    @Test
    void japaneseWordsAreFoundInsideUnsegmentedSentences() throws IOException {
        List<ChunkHit> hits = search(SearchMode.KEYWORD, "電車", SearchFilters.NONE);
        assertThat(ids(hits)).containsExactly("commute");
        assertThat(hits.getFirst().snippet()).contains("<em>電車</em>");
        // Kuromoji reads 東京都 as 東京 + 都: the characters of 京都 (Kyoto) are there, the word is not
        assertThat(search(SearchMode.KEYWORD, "京都", SearchFilters.NONE)).isEmpty();
    }

    @Test
    void chineseWordsAreFoundInsideUnsegmentedSentences() throws IOException {
        List<ChunkHit> hits = search(SearchMode.KEYWORD, "图书馆", SearchFilters.NONE);
        assertThat(ids(hits)).containsExactly("library");
        assertThat(hits.getFirst().snippet()).contains("<em>图书馆</em>");
    }

    private List<ChunkHit> search(SearchMode mode, String text, SearchFilters filters) throws IOException {
        return store("acme", mode, text, filters, 0, 10, Granularity.DOCUMENT).hits();
    }

    private SearchPage store(String tenant, SearchMode mode, String text, SearchFilters filters, int offset, int topK,
                             Granularity granularity) throws IOException {
        float[] vector = mode == SearchMode.KEYWORD ? null : embedder.embedQuery(text);
        return index.search(new ChunkQuery(tenant, text, vector, mode, filters, offset, topK, granularity, Fusion.defaults()));
    }

    private static SearchFilters filters(List<String> tags, List<String> sources, Map<String, String> metadata,
                                         Long from, Long to) {
        return new SearchFilters(tags, sources, metadata, from, to);
    }

    private static List<String> ids(List<ChunkHit> hits) {
        return hits.stream().map(ChunkHit::documentId).toList();
    }

    private static List<String> chunkIds(List<ChunkHit> hits) {
        return hits.stream().map(ChunkHit::chunkId).toList();
    }

    private void add(String tenant, String id, String language, String text, List<String> tags, String source,
                     Map<String, Object> metadata, String timestamp) throws IOException {
        add(tenant, id, language, List.of(text), tags, source, metadata, timestamp);
    }

    private void add(String tenant, String id, String language, List<String> texts, List<String> tags, String source,
                     Map<String, Object> metadata, String timestamp) throws IOException {
        for (int seq = 0; seq < texts.size(); seq++) {
            ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, tenant, id, 1, ChunkEvent.chunkId(tenant, id, 1, seq), seq,
                    texts.size(), null, texts.get(seq), source, language, metadata, tags,
                    Instant.parse(timestamp).toEpochMilli());
            index.upsert(EmbeddingEvent.of(chunk, "bge-small", embedder.embedPassages(List.of(chunk.embeddingText())).getFirst(), false));
        }
        index.apply(new DocumentState(DocumentState.SCHEMA, tenant, id, DocumentStatus.ACTIVE, 1, 1, texts.size(), 1, null, 0));
    }
}
