package io.ragline.search.index;

import java.util.Objects;

/**
 * One search as a store sees it. {@code vector} is the embedded query (null in keyword mode);
 * {@code text} feeds the keyword retriever and the highlighted snippets.
 */
public record ChunkQuery(String tenant, String text, float[] vector, SearchMode mode, SearchFilters filters,
                         int offset, int topK, Granularity granularity, Fusion fusion) {
    /** Deepest result a query may reach; stores size their candidate lists by it. */
    public static final int MAX_DEPTH = 1000;

    public ChunkQuery {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(filters, "filters");
        Objects.requireNonNull(granularity, "granularity");
        Objects.requireNonNull(fusion, "fusion");
        if (mode != SearchMode.KEYWORD && vector == null) {
            throw new IllegalArgumentException(mode.wireName() + " search needs the query vector");
        }
        if (offset < 0 || topK < 1 || offset + topK > MAX_DEPTH) {
            throw new IllegalArgumentException("need offset >= 0, topK >= 1 and offset + topK <= " + MAX_DEPTH);
        }
    }

    /** The first {@code topK} documents, unfiltered, with the default fusion. */
    public static ChunkQuery firstDocuments(String tenant, String text, float[] vector, SearchMode mode, int topK) {
        return new ChunkQuery(tenant, text, vector, mode, SearchFilters.NONE, 0, topK, Granularity.DOCUMENT,
                Fusion.defaults());
    }
}
