package io.ragline.search.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.search.index.ChunkQuery;
import io.ragline.search.index.Granularity;
import io.ragline.search.index.SearchFilters;
import io.ragline.search.index.SearchMode;
import java.util.Iterator;
import java.util.Set;

/** A validated {@code POST /v1/search} body. */
public record SearchRequest(String query, int topK, SearchMode mode, SearchFilters filters, int offset,
                            Granularity granularity) {
    public static final int MAX_QUERY_CHARS = 2000;
    public static final int MAX_TOP_K = 100;
    private static final Set<String> FIELDS = Set.of("query", "topK", "mode", "filters", "offset", "granularity");

    /** The first {@code topK} documents, unfiltered. */
    public SearchRequest(String query, int topK, SearchMode mode) {
        this(query, topK, mode, SearchFilters.NONE, 0, Granularity.DOCUMENT);
    }

    /** Validates the parsed body field by field; each failure names the field. */
    public static SearchRequest from(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest("invalid-body", "Request body must be a JSON object",
                    "expected an object like {\"query\":\"...\",\"topK\":10,\"mode\":\"hybrid\"}");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw ProblemException.badRequest("unknown-field", "Unknown field",
                        "field '" + field + "' is not part of the search request; allowed: " + FIELDS);
            }
        }
        JsonNode query = body.get("query");
        if (query == null || query.isNull()) {
            throw ProblemException.badRequest("missing-field", "Missing field", "'query' is required");
        }
        if (!query.isTextual()) {
            throw ProblemException.badRequest("wrong-type", "Wrong type", "'query' must be a string, was " + query.getNodeType());
        }
        String text = query.asText();
        if (text.isBlank()) {
            throw ProblemException.badRequest("invalid-query", "Invalid query", "'query' must not be blank");
        }
        if (text.length() > MAX_QUERY_CHARS) {
            throw ProblemException.badRequest("query-too-long", "Query too long",
                    "'query' has " + text.length() + " characters; the limit is " + MAX_QUERY_CHARS);
        }
        int topK = 10;
        JsonNode k = body.get("topK");
        if (k != null && !k.isNull()) {
            if (!k.isIntegralNumber()) {
                throw ProblemException.badRequest("wrong-type", "Wrong type", "'topK' must be an integer, was " + k);
            }
            if (!k.canConvertToInt() || k.asInt() < 1 || k.asInt() > MAX_TOP_K) {
                throw ProblemException.badRequest("out-of-range", "Value out of range",
                        "'topK' must be between 1 and " + MAX_TOP_K + ", was " + k);
            }
            topK = k.asInt();
        }
        SearchMode mode = SearchMode.HYBRID;
        JsonNode m = body.get("mode");
        if (m != null && !m.isNull()) {
            if (!m.isTextual()) {
                throw ProblemException.badRequest("wrong-type", "Wrong type", "'mode' must be a string, was " + m.getNodeType());
            }
            mode = SearchMode.parse(m.asText()).orElseThrow(() -> ProblemException.badRequest("unknown-mode",
                    "Unknown mode", "'mode' must be one of hybrid, keyword, vector; was '" + m.asText() + "'"));
        }
        int offset = offset(body.get("offset"), topK);
        Granularity granularity = Granularity.DOCUMENT;
        JsonNode g = body.get("granularity");
        if (g != null && !g.isNull()) {
            if (!g.isTextual()) {
                throw FiltersJson.wrongType("granularity", "a string", g);
            }
            granularity = Granularity.parse(g.asText()).orElseThrow(() -> ProblemException.badRequest(
                    "unknown-granularity", "Unknown granularity",
                    "'granularity' must be one of document, chunk; was '" + g.asText() + "'"));
        }
        return new SearchRequest(text, topK, mode, FiltersJson.parse(body.get("filters")), offset, granularity);
    }

    private static int offset(JsonNode node, int topK) {
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.isIntegralNumber()) {
            throw FiltersJson.wrongType("offset", "an integer", node);
        }
        int limit = ChunkQuery.MAX_DEPTH - topK;
        if (!node.canConvertToInt() || node.asInt() < 0 || node.asInt() > limit) {
            throw ProblemException.badRequest("out-of-range", "Value out of range",
                    "'offset' must be between 0 and " + limit + " (offset + topK may reach " + ChunkQuery.MAX_DEPTH
                            + "), was " + node);
        }
        return node.asInt();
    }
}
