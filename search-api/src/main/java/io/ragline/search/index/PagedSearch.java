package io.ragline.search.index;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ragline.core.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RescoreTopNQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;

/**
 * One {@link ChunkQuery} on one searcher: each retriever ranks the filtered chunks, the rankings
 * are collapsed to documents (or kept per chunk), fused, and the requested page is loaded,
 * with its snippets and the rank each retriever gave it.
 */
final class PagedSearch {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    /** Candidates fetched from the quantised graph per result kept after full-precision re-ranking. */
    private static final int OVERSAMPLE = 2;
    /** Chunks fetched per document wanted: documents have several chunks, each is listed once. */
    private static final int CHUNKS_PER_DOCUMENT = 5;
    /**
     * Result tiers: a page is ranked from candidates deep enough for the tier its last result falls
     * in. The first (two pages of ten) keeps the common query cheap; deeper pages pay for their depth.
     */
    private static final int[] TIERS = {20, 100, ChunkQuery.MAX_DEPTH};

    private final IndexSearcher searcher;
    private final TextAnalysis analysis;
    private final Snippets snippets;
    private final boolean quantised;

    /** A chunk a retriever found: its Lucene doc, its ranking key (document or chunk) and score. */
    private record Candidate(int doc, String key, float score) {
    }

    PagedSearch(IndexSearcher searcher, TextAnalysis analysis, Snippets snippets, boolean quantised) {
        this.searcher = searcher;
        this.analysis = analysis;
        this.snippets = snippets;
        this.quantised = quantised;
    }

    SearchPage run(ChunkQuery query) throws IOException {
        Query filter = LuceneFilters.of(query.tenant(), query.filters());
        int depth = depth(query);
        Query terms = query.text() == null ? null : analysis.keywordQuery(query.text());
        StoredFields stored = searcher.storedFields();
        Map<String, Candidate> keyword = query.mode() == SearchMode.VECTOR || terms == null ? Map.of()
                : ranked(stored, searcher.search(new BooleanQuery.Builder()
                        .add(terms, BooleanClause.Occur.MUST)
                        .add(filter, BooleanClause.Occur.FILTER)
                        .build(), depth), query.granularity());
        // the full-precision re-ranking cannot take an empty candidate list (an empty tenant, a filter matching nothing)
        Map<String, Candidate> vector = query.mode() == SearchMode.KEYWORD || searcher.search(filter, 1).scoreDocs.length == 0
                ? Map.of()
                : ranked(stored, searcher.search(vectorQuery(query.vector(), depth, filter), depth), query.granularity());
        List<Map.Entry<String, Double>> order = switch (query.mode()) {
            case KEYWORD -> scores(keyword);
            case VECTOR -> scores(vector);
            case HYBRID -> query.fusion().fuse(List.copyOf(keyword.keySet()), List.copyOf(vector.keySet()));
        };
        Map<String, Integer> keywordRanks = ranks(keyword);
        Map<String, Integer> vectorRanks = ranks(vector);
        int end = Math.min(order.size(), query.offset() + query.topK());
        List<ChunkHit> hits = new ArrayList<>();
        for (int i = query.offset(); i < end; i++) {
            String key = order.get(i).getKey();
            // the chunk that represents a document: its best by meaning, else by words
            Candidate chunk = vector.getOrDefault(key, keyword.get(key));
            Map<String, Integer> matchedBy = new LinkedHashMap<>();
            if (keywordRanks.containsKey(key)) {
                matchedBy.put("keyword", keywordRanks.get(key));
            }
            if (vectorRanks.containsKey(key)) {
                matchedBy.put("vector", vectorRanks.get(key));
            }
            hits.add(hit(stored.document(chunk.doc()), order.get(i).getValue(), terms, matchedBy));
        }
        return new SearchPage(hits, order.size() > end);
    }

    /**
     * How many chunks each retriever ranks. It depends on the page only through its tier (see
     * {@link #TIERS}), so every page within the first 20 results, within 21–100 and within
     * 101–1000 comes from the same rankings: page 2 continues page 1 exactly.
     */
    static int depth(ChunkQuery query) {
        int last = query.offset() + query.topK();
        int results = ChunkQuery.MAX_DEPTH;
        for (int tier : TIERS) {
            if (last <= tier) {
                results = tier;
                break;
            }
        }
        return query.granularity() == Granularity.DOCUMENT ? results * CHUNKS_PER_DOCUMENT : results;
    }

    /**
     * The HNSW graph finds candidates on int8 vectors; they are re-ranked by their full-precision
     * vectors (kept beside the quantised ones), which keeps int8's memory and float's ranking.
     */
    private Query vectorQuery(float[] vector, int depth, Query filter) {
        Query candidates = new KnnFloatVectorQuery(ChunkFields.VECTOR, vector, depth * OVERSAMPLE, filter);
        return quantised ? RescoreTopNQuery.createFullPrecisionRescorerQuery(candidates, vector, ChunkFields.VECTOR, depth)
                : candidates;
    }

    /**
     * Each key's first (best) candidate, in rank order. Equal scores are common in BM25 (same
     * terms, lengths that quantise to the same norm); Lucene breaks them by internal doc id, which
     * depends on the order chunks were indexed, so a rebuilt replica would rank them differently.
     * They are ordered by chunk id instead: every replica ranks alike.
     */
    private static Map<String, Candidate> ranked(StoredFields stored, TopDocs top, Granularity granularity)
            throws IOException {
        record Scored(int doc, String chunkId, float score) {
        }
        Set<String> idOnly = Set.of(ChunkFields.CHUNK_ID);
        List<Scored> hits = new ArrayList<>(top.scoreDocs.length);
        for (ScoreDoc sd : top.scoreDocs) {
            hits.add(new Scored(sd.doc, stored.document(sd.doc, idOnly).get(ChunkFields.CHUNK_ID), sd.score));
        }
        hits.sort(java.util.Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::chunkId));
        Map<String, Candidate> best = new LinkedHashMap<>();
        for (Scored hit : hits) {
            String key = granularity == Granularity.CHUNK ? hit.chunkId() : documentKey(hit.chunkId());
            best.putIfAbsent(key, new Candidate(hit.doc(), key, hit.score()));
        }
        return best;
    }

    /** {@code <tenant>/<id>} of a chunk id {@code <tenant>/<id>#<version>#<seq>} (ids may contain '#'). */
    static String documentKey(String chunkId) {
        int seq = chunkId.lastIndexOf('#');
        return chunkId.substring(0, chunkId.lastIndexOf('#', seq - 1));
    }

    private static List<Map.Entry<String, Double>> scores(Map<String, Candidate> ranked) {
        return ranked.values().stream().map(c -> Map.entry(c.key(), (double) c.score())).toList();
    }

    private static Map<String, Integer> ranks(Map<String, Candidate> ranked) {
        Map<String, Integer> ranks = new LinkedHashMap<>();
        for (String key : ranked.keySet()) {
            ranks.put(key, ranks.size() + 1);
        }
        return ranks;
    }

    private ChunkHit hit(Document doc, double score, Query terms, Map<String, Integer> matchedBy) throws IOException {
        String field = TextAnalysis.textField(doc.get(ChunkFields.LANGUAGE));
        String text = doc.get(field);
        String snippet = snippets.of(terms, field, text);
        return new ChunkHit(doc.get(ChunkFields.DOCUMENT_ID), doc.get(ChunkFields.TENANT),
                doc.getField(ChunkFields.VERSION).numericValue().longValue(), doc.get(ChunkFields.CHUNK_ID), score,
                doc.get(ChunkFields.TITLE), text, doc.get(ChunkFields.SOURCE),
                Json.mapper().readValue(doc.get(ChunkFields.METADATA), MAP), snippet, matchedBy);
    }
}
