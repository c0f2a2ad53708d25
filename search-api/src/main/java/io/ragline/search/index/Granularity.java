package io.ragline.search.index;

import java.util.Locale;
import java.util.Optional;

/** What one result stands for. */
public enum Granularity {
    /** One result per document: its best chunk (a long document is not listed once per chunk). */
    DOCUMENT,
    /** Every matching chunk on its own. */
    CHUNK;

    public static Optional<Granularity> parse(String value) {
        for (Granularity g : values()) {
            if (g.name().equals(value.toUpperCase(Locale.ROOT))) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }
}
