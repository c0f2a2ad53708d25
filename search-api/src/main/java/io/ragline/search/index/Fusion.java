package io.ragline.search.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Weighted reciprocal rank fusion: each retriever contributes {@code weight / (k + rank)} for
 * every document it ranks. Lucene's {@code TopDocs.rrf} has no weights; on the CISI collection a
 * heavier vector weight pays, since the dense retriever is the stronger one there.
 */
public record Fusion(int k, double keywordWeight, double vectorWeight) {
    public static Fusion defaults() {
        return new Fusion(60, 1.0, 1.0);
    }

    public Fusion {
        if (k < 1 || keywordWeight < 0 || vectorWeight < 0 || keywordWeight + vectorWeight == 0) {
            throw new IllegalArgumentException("fusion needs k >= 1 and non-negative weights, not both zero");
        }
    }

    /**
     * Fuses two rankings of the same kind of item (best first) into one, best first. Items are
     * compared with {@code equals}: with document granularity callers fuse documents, so a
     * document's rank is that of its best chunk in each list and a long document is not counted
     * once per chunk; with chunk granularity they fuse chunk ids.
     */
    <T> List<Map.Entry<T, Double>> fuse(List<T> keyword, List<T> vector) {
        Map<T, Double> scores = new java.util.LinkedHashMap<>();
        add(scores, keyword, keywordWeight);
        add(scores, vector, vectorWeight);
        List<Map.Entry<T, Double>> fused = new ArrayList<>(scores.entrySet());
        fused.sort((a, b) -> Double.compare(b.getValue(), a.getValue())); // stable: first seen wins ties
        return fused;
    }

    private <T> void add(Map<T, Double> scores, List<T> ranked, double weight) {
        for (int rank = 0; rank < ranked.size(); rank++) {
            scores.merge(ranked.get(rank), weight / (k + rank + 1), Double::sum);
        }
    }
}
