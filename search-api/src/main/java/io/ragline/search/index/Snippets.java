package io.ragline.search.index;

import java.io.IOException;
import java.text.BreakIterator;
import java.util.Locale;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.uhighlight.DefaultPassageFormatter;
import org.apache.lucene.search.uhighlight.LengthGoalBreakIterator;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;

/**
 * The snippet of a result: the chunk passage (about {@value #LENGTH} characters, cut at sentence
 * ends) that best matches the query's terms, with them in {@code <em>}, the text HTML-escaped;
 * the leading passage when no term matched (a hit found only by meaning). Re-analyses the
 * stored text with the field's own analyser, so Japanese and Chinese words highlight too.
 */
final class Snippets {
    static final int LENGTH = 240;

    private final UnifiedHighlighter highlighter;

    Snippets(Analyzer analyzer) {
        this.highlighter = UnifiedHighlighter.builderWithoutSearcher(analyzer)
                .withBreakIterator(() -> LengthGoalBreakIterator.createClosestToLength(
                        BreakIterator.getSentenceInstance(Locale.ROOT), LENGTH, 0.5f))
                .withFormatter(new DefaultPassageFormatter("<em>", "</em>", "… ", true))
                .withMaxNoHighlightPassages(1)
                // plain terms need neither Matches nor an in-memory index: highlighting from the
                // token stream is several times faster, and the page has up to 100 snippets
                .withWeightMatches(false)
                .withPassageRelevancyOverSpeed(false)
                .build();
    }

    /** @param terms the keyword query (null when the query had no term); {@code field} the chunk's text field */
    String of(Query terms, String field, String text) throws IOException {
        if (text == null || text.isEmpty()) {
            return "";
        }
        Object snippet = terms == null ? null : highlighter.highlightWithoutSearcher(field, terms, text, 1);
        if (snippet == null) {
            snippet = highlighter.highlightWithoutSearcher(field, new org.apache.lucene.search.MatchNoDocsQuery(), text, 1);
        }
        return snippet == null ? "" : snippet.toString().strip();
    }
}
