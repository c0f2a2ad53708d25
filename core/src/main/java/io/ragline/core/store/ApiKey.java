package io.ragline.core.store;

import java.time.Instant;
import java.util.Set;

/** An API key as stored: never its secret, only what it may do. */
public record ApiKey(String id, String tenant, String name, Set<Scope> scopes, int ratePerMinute, Instant createdAt,
                     Instant revokedAt) {
    public enum Scope { search, ingest, admin }

    public boolean revoked() {
        return revokedAt != null;
    }

    public boolean allows(Scope scope) {
        return scopes.contains(scope);
    }
}
