-- One row: whether document metadata may change. A restore sets it (and waits for the writers in
-- flight, see IngestionPause); every write of MetadataStore reads it in its own transaction first.
CREATE TABLE ingestion_pause (
    id     smallint    PRIMARY KEY CHECK (id = 1),
    paused boolean     NOT NULL,
    owner  text,
    reason text,
    since  timestamptz
);

INSERT INTO ingestion_pause (id, paused) VALUES (1, false);
