package io.ragline.search.index;

import java.util.Locale;
import java.util.Optional;

/** Which retrievers answer a query. */
public enum SearchMode {
    HYBRID, KEYWORD, VECTOR;

    public static Optional<SearchMode> parse(String value) {
        for (SearchMode mode : values()) {
            if (mode.name().equals(value.toUpperCase(Locale.ROOT))) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
