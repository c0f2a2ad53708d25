package io.ragline.search.store.milvus;

import io.ragline.search.index.SearchFilters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Milvus boolean expression with its values passed separately as filter template values
 * ({@code tenant == {p0}}): a value never becomes expression text, so no quoting or escaping of
 * values can go wrong. Only metadata keys end up in the text (JSON paths cannot be templated);
 * they are quoted by {@link #jsonKey}.
 */
public record MilvusFilter(String expression, Map<String, Object> values) {

    public MilvusFilter {
        values = Map.copyOf(values);
    }

    /** Active chunks of one tenant matching {@code filters}: what every search is restricted to. */
    public static MilvusFilter forSearch(String tenant, SearchFilters filters) {
        Builder b = new Builder();
        b.clause(MilvusSchema.TENANT + " == " + b.value(tenant));
        b.clause(MilvusSchema.ACTIVE + " == true");
        if (!filters.tags().isEmpty()) {
            b.clause("array_contains_all(" + MilvusSchema.TAGS + ", " + b.value(filters.tags()) + ")");
        }
        if (!filters.sources().isEmpty()) {
            b.clause(MilvusSchema.SOURCE + " in " + b.value(filters.sources()));
        }
        // sorted: the same filters always give the same expression
        new java.util.TreeMap<>(filters.metadata()).forEach((key, value) -> b.clause(metadataEquals(b, key, value)));
        if (filters.fromMillis() != null) {
            b.clause(MilvusSchema.TIMESTAMP + " >= " + b.value(filters.fromMillis()));
        }
        if (filters.toMillis() != null) {
            b.clause(MilvusSchema.TIMESTAMP + " <= " + b.value(filters.toMillis()));
        }
        return b.build();
    }

    /** Every chunk of one document (any version, active or not). */
    public static MilvusFilter forDocument(String docKey) {
        Builder b = new Builder();
        b.clause(MilvusSchema.DOC_KEY + " == " + b.value(docKey));
        return b.build();
    }

    /** Chunks of one document whose version is {@code version}. */
    public static MilvusFilter forVersion(String docKey, long version) {
        Builder b = new Builder();
        b.clause(MilvusSchema.DOC_KEY + " == " + b.value(docKey));
        b.clause(MilvusSchema.VERSION + " == " + b.value(version));
        return b.build();
    }

    /** Chunks of one document with a version at most {@code version}. */
    public static MilvusFilter upToVersion(String docKey, long version) {
        Builder b = new Builder();
        b.clause(MilvusSchema.DOC_KEY + " == " + b.value(docKey));
        b.clause(MilvusSchema.VERSION + " <= " + b.value(version));
        return b.build();
    }

    /**
     * A JSON key as a double-quoted string literal of Milvus's expression grammar: backslash and
     * double quote escaped; control characters refused (no caller needs them, and they would be
     * the way to smuggle in expression text).
     */
    static String jsonKey(String key) {
        StringBuilder out = new StringBuilder(key.length() + 2).append('"');
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("metadata filter key contains a control character");
            }
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }

    /**
     * Metadata values are compared as text, as the Lucene store indexes them: {@code "2026"}
     * matches the string "2026" and the number 2026 (and "true" the boolean true).
     */
    private static String metadataEquals(Builder b, String key, String value) {
        String path = MilvusSchema.METADATA + "[" + jsonKey(key) + "]";
        List<String> alternatives = new ArrayList<>();
        alternatives.add(path + " == " + b.value(value));
        if (value.equals("true") || value.equals("false")) {
            alternatives.add(path + " == " + b.value(Boolean.parseBoolean(value)));
        }
        try {
            alternatives.add(path + " == " + b.value(Long.parseLong(value)));
        } catch (NumberFormatException notAnInteger) {
            try {
                double d = Double.parseDouble(value);
                if (Double.isFinite(d)) {
                    alternatives.add(path + " == " + b.value(d));
                }
            } catch (NumberFormatException notANumber) {
                // compared as a string only
            }
        }
        return alternatives.size() == 1 ? alternatives.getFirst() : "(" + String.join(" or ", alternatives) + ")";
    }

    /** Collects clauses joined by {@code and}, naming each value {@code p0, p1, ...}. */
    private static final class Builder {
        private final List<String> clauses = new ArrayList<>();
        private final Map<String, Object> values = new LinkedHashMap<>();

        String value(Object value) {
            String name = "p" + values.size();
            values.put(name, value);
            return "{" + name + "}";
        }

        void clause(String clause) {
            clauses.add(clause);
        }

        MilvusFilter build() {
            return new MilvusFilter(String.join(" and ", clauses), values);
        }
    }
}
