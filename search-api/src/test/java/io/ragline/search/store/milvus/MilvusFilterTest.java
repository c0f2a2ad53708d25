package io.ragline.search.store.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ragline.search.index.SearchFilters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The expressions are what Milvus parses; values never enter them, keys only quoted. */
class MilvusFilterTest {

    @Test
    void everySearchIsRestrictedToItsTenantsActiveChunks() {
        MilvusFilter f = MilvusFilter.forSearch("acme\" or tenant != \"", SearchFilters.NONE);
        assertThat(f.expression()).isEqualTo("tenant == {p0} and active == true");
        assertThat(f.values()).containsExactly(Map.entry("p0", "acme\" or tenant != \""));
    }

    @Test
    void eachFilterKindBecomesOneClauseWithTemplateValues() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("team", "geo");
        metadata.put("year", "2026");
        MilvusFilter f = MilvusFilter.forSearch("acme",
                new SearchFilters(List.of("a", "b"), List.of("wiki", "mail"), metadata, 10L, 20L));
        assertThat(f.expression()).isEqualTo("tenant == {p0} and active == true"
                + " and array_contains_all(tags, {p1})"
                + " and source in {p2}"
                + " and metadata[\"team\"] == {p3}"
                + " and (metadata[\"year\"] == {p4} or metadata[\"year\"] == {p5})"
                + " and timestamp >= {p6} and timestamp <= {p7}");
        assertThat(f.values()).containsEntry("p1", List.of("a", "b")).containsEntry("p2", List.of("wiki", "mail"))
                .containsEntry("p4", "2026").containsEntry("p5", 2026L)
                .containsEntry("p6", 10L).containsEntry("p7", 20L);
    }

    @Test
    void metadataValuesMatchAsTextAsInLucene() {
        MilvusFilter f = MilvusFilter.forSearch("t", new SearchFilters(List.of(), List.of(),
                Map.of("draft", "true"), null, null));
        assertThat(f.expression()).endsWith("(metadata[\"draft\"] == {p1} or metadata[\"draft\"] == {p2})");
        assertThat(f.values()).containsEntry("p1", "true").containsEntry("p2", true);
        MilvusFilter ratio = MilvusFilter.forSearch("t", new SearchFilters(List.of(), List.of(),
                Map.of("ratio", "0.5"), null, null));
        assertThat(ratio.values()).containsEntry("p2", 0.5);
    }

    @Test
    void openTimeRangesHaveOneBound() {
        assertThat(MilvusFilter.forSearch("t", new SearchFilters(List.of(), List.of(), Map.of(), null, 5L)).expression())
                .isEqualTo("tenant == {p0} and active == true and timestamp <= {p1}");
    }

    @Test
    void metadataKeysAreQuotedAndEscaped() {
        assertThat(MilvusFilter.jsonKey("plain")).isEqualTo("\"plain\"");
        assertThat(MilvusFilter.jsonKey("a\"] == 1 or metadata[\"b")).isEqualTo("\"a\\\"] == 1 or metadata[\\\"b\"");
        assertThat(MilvusFilter.jsonKey("back\\slash")).isEqualTo("\"back\\\\slash\"");
        assertThatThrownBy(() -> MilvusFilter.jsonKey("new\nline")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void versionFiltersNameTheDocument() {
        MilvusFilter f = MilvusFilter.upToVersion("acme/doc", 3);
        assertThat(f.expression()).isEqualTo("doc_key == {p0} and version <= {p1}");
        assertThat(f.values()).containsEntry("p0", "acme/doc").containsEntry("p1", 3L);
    }
}
