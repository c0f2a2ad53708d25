package io.ragline.search.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.search.index.SearchFilters;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Validates the {@code filters} object of a search request; every failure names its field. */
final class FiltersJson {
    static final int MAX_VALUES = 32;
    private static final List<String> FILTERS = List.of("tags", "source", "metadata", "timestamp");
    private static final List<String> BOUNDS = List.of("gte", "gt", "lte", "lt");

    private FiltersJson() {
    }

    static SearchFilters parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return SearchFilters.NONE;
        }
        if (!node.isObject()) {
            throw wrongType("filters", "an object", node);
        }
        for (Map.Entry<String, JsonNode> filter : node.properties()) {
            String name = filter.getKey();
            if (!FILTERS.contains(name)) {
                throw unknownFilter("filters." + name, FILTERS);
            }
        }
        Long from = null;
        Long to = null;
        JsonNode time = node.get("timestamp");
        if (time != null && !time.isNull()) {
            if (!time.isObject()) {
                throw wrongType("filters.timestamp", "an object like {\"gte\":\"2026-01-01T00:00:00Z\"}", time);
            }
            for (Map.Entry<String, JsonNode> entry : time.properties()) {
                String bound = entry.getKey();
                if (!BOUNDS.contains(bound)) {
                    throw unknownFilter("filters.timestamp." + bound, BOUNDS);
                }
                Instant at = instant("filters.timestamp." + bound, time.get(bound));
                switch (bound) {
                    case "gte" -> from = max(from, ceilMillis(at));
                    case "gt" -> from = max(from, floorMillis(at) + 1);
                    case "lte" -> to = min(to, floorMillis(at));
                    default -> to = min(to, ceilMillis(at) - 1);
                }
            }
        }
        List<String> sources = List.of();
        JsonNode source = node.get("source");
        if (source != null && !source.isNull()) {
            sources = source.isTextual() ? List.of(source.asText()) : strings("filters.source", source);
            if (sources.isEmpty()) {
                throw outOfRange("'filters.source' must name at least one source");
            }
        }
        JsonNode tags = node.get("tags");
        return new SearchFilters(tags == null || tags.isNull() ? List.of() : strings("filters.tags", tags), sources,
                metadata(node.get("metadata")), from, to);
    }

    private static List<String> strings(String field, JsonNode node) {
        if (!node.isArray()) {
            throw wrongType(field, field.endsWith("source") ? "a string or an array of strings" : "an array of strings", node);
        }
        if (node.size() > MAX_VALUES) {
            throw outOfRange("'" + field + "' may list at most " + MAX_VALUES + " values, has " + node.size());
        }
        List<String> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw wrongType(field + "[" + i + "]", "a string", node.get(i));
            }
            out.add(node.get(i).asText());
        }
        return out;
    }

    /** Equality on scalars, compared as text: the index keeps metadata values as strings. */
    private static Map<String, String> metadata(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw wrongType("filters.metadata", "an object of key to value", node);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            JsonNode value = e.getValue();
            if (!value.isTextual() && !value.isNumber() && !value.isBoolean()) {
                throw wrongType("filters.metadata." + e.getKey(), "a string, number or boolean", value);
            }
            out.put(e.getKey(), value.asText());
        }
        if (out.size() > MAX_VALUES) {
            throw outOfRange("'filters.metadata' may name at most " + MAX_VALUES + " keys, has " + out.size());
        }
        return out;
    }

    private static Instant instant(String field, JsonNode node) {
        if (!node.isTextual()) {
            throw wrongType(field, "an ISO-8601 string", node);
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("invalid-timestamp", "Invalid timestamp",
                    "'" + field + "' must be an ISO-8601 instant such as 2026-05-01T00:00:00Z, was '" + node.asText() + "'");
        }
    }

    // the index keeps milliseconds: bounds become inclusive millisecond bounds
    private static long floorMillis(Instant at) {
        return at.toEpochMilli();
    }

    private static long ceilMillis(Instant at) {
        return at.toEpochMilli() + (at.getNano() % 1_000_000 == 0 ? 0 : 1);
    }

    private static Long max(Long a, long b) {
        return a == null ? b : Math.max(a, b);
    }

    private static Long min(Long a, long b) {
        return a == null ? b : Math.min(a, b);
    }

    static ProblemException wrongType(String field, String expected, JsonNode was) {
        return ProblemException.badRequest("wrong-type", "Wrong type",
                "'" + field + "' must be " + expected + ", was " + was.getNodeType());
    }

    private static ProblemException unknownFilter(String field, List<String> allowed) {
        return ProblemException.badRequest("unknown-filter", "Unknown filter",
                "'" + field + "' is not a filter; allowed: " + allowed);
    }

    private static ProblemException outOfRange(String detail) {
        return ProblemException.badRequest("out-of-range", "Value out of range", detail);
    }
}
