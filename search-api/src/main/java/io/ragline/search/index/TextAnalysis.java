package io.ragline.search.index;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.ja.JapaneseAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * BM25 text analysis per language. Japanese and Chinese write words without spaces, so a
 * chunk's text goes into one field per analyser (English by default, Kuromoji for "ja", SmartCN
 * for "zh") and a keyword query is analysed once per field, each with that field's analyser.
 * A chunk has only one of the fields, so its BM25 score is that of its own language.
 */
final class TextAnalysis implements Closeable {
    static final List<String> TEXT_FIELDS = List.of(ChunkFields.TEXT, ChunkFields.TEXT_JA, ChunkFields.TEXT_ZH);

    private final Analyzer english = new EnglishAnalyzer();
    private final Analyzer japanese = new JapaneseAnalyzer();
    private final Analyzer chinese = new SmartChineseAnalyzer();
    private final Analyzer perField = new PerFieldAnalyzerWrapper(english,
            Map.of(ChunkFields.TEXT_JA, japanese, ChunkFields.TEXT_ZH, chinese));

    /** The index's analyser: each text field with its language's. */
    Analyzer analyzer() {
        return perField;
    }

    /** The text field for a chunk's language tag ("ja", "ja-JP", "zh-Hans", ...); English otherwise. */
    static String textField(String language) {
        if (language == null) {
            return ChunkFields.TEXT;
        }
        String primary = language.split("[-_]", 2)[0].toLowerCase(Locale.ROOT);
        return switch (primary) {
            case "ja" -> ChunkFields.TEXT_JA;
            case "zh" -> ChunkFields.TEXT_ZH;
            default -> ChunkFields.TEXT;
        };
    }

    /** Any query term in any language's field; null when the text has no indexable term at all. */
    Query keywordQuery(String text) throws IOException {
        // Lucene caps the clauses of the whole query: share the budget between the fields
        int budget = (IndexSearcher.getMaxClauseCount() - 2 * TEXT_FIELDS.size()) / TEXT_FIELDS.size();
        BooleanQuery.Builder any = new BooleanQuery.Builder();
        boolean empty = true;
        for (String field : TEXT_FIELDS) {
            BooleanQuery.Builder terms = new BooleanQuery.Builder();
            int count = 0;
            try (TokenStream stream = perField.tokenStream(field, text)) {
                CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
                stream.reset();
                while (stream.incrementToken() && count < budget) {
                    terms.add(new TermQuery(new Term(field, term.toString())), BooleanClause.Occur.SHOULD);
                    count++;
                }
                stream.end();
            }
            if (count > 0) {
                any.add(terms.build(), BooleanClause.Occur.SHOULD);
                empty = false;
            }
        }
        return empty ? null : any.build();
    }

    @Override
    public void close() {
        perField.close();
        english.close();
        japanese.close();
        chinese.close();
    }
}
