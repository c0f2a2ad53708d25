package io.ragline.search.api;

import io.ragline.core.store.ApiKey;
import io.ragline.core.store.ApiKeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves the API key of a request, with a short cache so that a busy API does not hit
 * PostgreSQL per request; a revoked key stops working within {@link #CACHE}.
 */
public final class Authenticator {
    static final Duration CACHE = Duration.ofSeconds(5);

    private record Cached(Optional<ApiKey> key, long expiresAt) {
    }

    private final ApiKeyStore keys;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public Authenticator(ApiKeyStore keys) {
        this.keys = keys;
    }

    /** The key named by {@code Authorization: Bearer <key>} or {@code X-Api-Key}; 401 problems otherwise. */
    public ApiKey authenticate(String authorization, String apiKeyHeader) {
        String presented = apiKeyHeader;
        if (presented == null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.substring(7).strip();
        }
        if (presented == null || presented.isBlank()) {
            throw new ProblemException(401, "missing-api-key", "API key required",
                    "send the key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'");
        }
        long now = System.nanoTime();
        String lookup = presented;
        Cached cached = cache.compute(presented, (k, old) -> old != null && old.expiresAt > now
                ? old : new Cached(keys.verify(lookup), now + CACHE.toNanos()));
        if (cache.size() > 10_000) {
            cache.clear(); // bounded: someone is trying many keys
        }
        ApiKey key = cached.key.orElseThrow(() -> new ProblemException(401, "invalid-api-key", "Invalid API key",
                "the API key is not known"));
        if (key.revoked()) {
            throw new ProblemException(401, "revoked-api-key", "Revoked API key",
                    "the API key " + key.id() + " was revoked at " + key.revokedAt());
        }
        return key;
    }

    public static void require(ApiKey key, ApiKey.Scope scope) {
        if (!key.allows(scope)) {
            throw new ProblemException(403, "missing-scope", "Scope required",
                    "the API key " + key.id() + " lacks the '" + scope + "' scope; it has " + key.scopes());
        }
    }
}
