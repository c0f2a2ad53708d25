package io.ragline.search.store.milvus;

/**
 * The snippet of a Milvus hit: the chunk's leading passage, HTML-escaped, without highlighted
 * terms. The Lucene store marks the query's terms with {@code <em>} by re-analysing the text;
 * this store does not (Milvus's own highlighter is left unused until it can be tested here).
 */
final class PlainSnippet {
    static final int LENGTH = 240;

    private PlainSnippet() {
    }

    static String of(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String passage = text.strip();
        if (passage.length() > LENGTH) {
            int cut = passage.lastIndexOf(' ', LENGTH);
            passage = passage.substring(0, cut > LENGTH / 2 ? cut : LENGTH) + "…";
        }
        StringBuilder out = new StringBuilder(passage.length() + 16);
        for (int i = 0; i < passage.length(); i++) {
            char c = passage.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
