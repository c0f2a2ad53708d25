package io.ragline.search.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.store.ApiKey;
import io.ragline.core.store.ApiKeyStore;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/** A validated {@code POST /v1/keys} body: {"tenant","name","scopes":["search",...],"ratePerMinute"}. */
record KeyRequest(String tenant, String name, Set<ApiKey.Scope> scopes, int ratePerMinute) {
    private static final Set<String> FIELDS = Set.of("tenant", "name", "scopes", "ratePerMinute");

    static KeyRequest from(JsonNode body, Pattern tenantPattern) {
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest("invalid-body", "Request body must be a JSON object",
                    "expected {\"tenant\":\"acme\",\"name\":\"ci\",\"scopes\":[\"search\"]}");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw ProblemException.badRequest("unknown-field", "Unknown field",
                        "field '" + field + "' is not part of a key request; allowed: " + FIELDS);
            }
        }
        String tenant = body.path("tenant").asText("");
        if (!tenantPattern.matcher(tenant).matches()) {
            throw ProblemException.badRequest("invalid-tenant", "Invalid tenant", "'tenant' must match " + tenantPattern.pattern());
        }
        JsonNode scopesNode = body.path("scopes");
        if (!scopesNode.isArray() || scopesNode.isEmpty()) {
            throw ProblemException.badRequest("missing-field", "Missing field", "'scopes' must be a non-empty array of search, ingest, admin");
        }
        Set<ApiKey.Scope> scopes = EnumSet.noneOf(ApiKey.Scope.class);
        for (JsonNode s : scopesNode) {
            try {
                scopes.add(ApiKey.Scope.valueOf(s.asText()));
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("unknown-scope", "Unknown scope",
                        "'scopes' contains '" + s.asText() + "'; allowed: search, ingest, admin");
            }
        }
        int rate = ApiKeyStore.DEFAULT_RATE_PER_MINUTE;
        JsonNode r = body.get("ratePerMinute");
        if (r != null && !r.isNull()) {
            if (!r.canConvertToInt() || r.asInt() < 1 || r.asInt() > 1_000_000) {
                throw ProblemException.badRequest("out-of-range", "Value out of range", "'ratePerMinute' must be 1..1000000, was " + r);
            }
            rate = r.asInt();
        }
        return new KeyRequest(tenant, body.path("name").asText("unnamed"), scopes, rate);
    }
}
