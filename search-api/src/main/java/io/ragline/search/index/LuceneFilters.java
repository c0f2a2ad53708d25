package io.ragline.search.index;

import java.util.Map;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/** Turns a tenant and its {@link SearchFilters} into the one filter both retrievers apply. */
final class LuceneFilters {
    private LuceneFilters() {
    }

    static Query of(String tenant, SearchFilters filters) {
        BooleanQuery.Builder all = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(ChunkFields.TENANT, tenant)), BooleanClause.Occur.FILTER)
                .add(NumericDocValuesField.newSlowExactQuery(ChunkFields.ACTIVE, 1), BooleanClause.Occur.FILTER);
        for (String tag : filters.tags()) {
            all.add(new TermQuery(new Term(ChunkFields.TAG, tag)), BooleanClause.Occur.FILTER);
        }
        if (!filters.sources().isEmpty()) {
            BooleanQuery.Builder any = new BooleanQuery.Builder();
            for (String source : filters.sources()) {
                any.add(new TermQuery(new Term(ChunkFields.SOURCE, source)), BooleanClause.Occur.SHOULD);
            }
            all.add(any.build(), BooleanClause.Occur.FILTER);
        }
        for (Map.Entry<String, String> e : filters.metadata().entrySet()) {
            all.add(new TermQuery(new Term(ChunkFields.META_PREFIX + e.getKey(), e.getValue())), BooleanClause.Occur.FILTER);
        }
        if (filters.hasTimeRange()) {
            long from = filters.fromMillis() == null ? Long.MIN_VALUE : filters.fromMillis();
            long to = filters.toMillis() == null ? Long.MAX_VALUE : filters.toMillis();
            all.add(LongPoint.newRangeQuery(ChunkFields.TIMESTAMP, from, to), BooleanClause.Occur.FILTER);
        }
        return all.build();
    }
}
