package io.ragline.devstack.eval;

import java.util.List;
import java.util.Map;

/**
 * Ranking metrics as BEIR reports them (pytrec_eval's ndcg_cut, recall and map_cut): graded gains
 * from the qrels, log2 discount, MAP normalised by all relevant documents of the query.
 */
public final class RankingMetrics {
    private RankingMetrics() {
    }

    /** nDCG@k of a ranking against graded relevance judgements. */
    public static double ndcg(List<String> ranking, Map<String, Integer> relevant, int k) {
        double dcg = 0;
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            dcg += relevant.getOrDefault(ranking.get(i), 0) / log2(i + 2);
        }
        List<Integer> ideal = relevant.values().stream().sorted((a, b) -> b - a).toList();
        double idcg = 0;
        for (int i = 0; i < Math.min(k, ideal.size()); i++) {
            idcg += ideal.get(i) / log2(i + 2);
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }

    /** Share of the relevant documents found in the first k results. */
    public static double recall(List<String> ranking, Map<String, Integer> relevant, int k) {
        if (relevant.isEmpty()) {
            return 0;
        }
        long found = ranking.stream().limit(k).filter(d -> relevant.getOrDefault(d, 0) > 0).count();
        return (double) found / relevant.values().stream().filter(r -> r > 0).count();
    }

    /** Average precision over the first k results, divided by all relevant documents. */
    public static double averagePrecision(List<String> ranking, Map<String, Integer> relevant, int k) {
        long total = relevant.values().stream().filter(r -> r > 0).count();
        if (total == 0) {
            return 0;
        }
        double sum = 0;
        int hits = 0;
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            if (relevant.getOrDefault(ranking.get(i), 0) > 0) {
                hits++;
                sum += (double) hits / (i + 1);
            }
        }
        return sum / total;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
