-- API keys: only a hash of the secret is stored; each key is bound to one tenant and its scopes.
CREATE TABLE api_keys (
    id              text        PRIMARY KEY,
    tenant          text        NOT NULL,
    name            text        NOT NULL,
    secret_sha256   text        NOT NULL,
    scopes          text[]      NOT NULL,
    rate_per_minute integer     NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);

CREATE INDEX api_keys_tenant ON api_keys (tenant);
