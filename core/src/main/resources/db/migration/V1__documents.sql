-- One row per document: its latest version and the version search serves.
CREATE TABLE documents (
    tenant             text        NOT NULL,
    id                 text        NOT NULL,
    title              text,
    source             text,
    language           text,
    version            bigint      NOT NULL,
    active_version     bigint      NOT NULL DEFAULT 0,
    status             text        NOT NULL,
    pending_op         text,
    chunk_count        integer     NOT NULL DEFAULT 0,
    active_chunk_count integer     NOT NULL DEFAULT 0,
    content_hash       text,
    metadata           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    reason             text,
    revision           bigint      NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, id)
);

CREATE INDEX documents_tenant_status ON documents (tenant, status);
