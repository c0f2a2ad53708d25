-- Every deployment DeployWorkflow ran (deployment-workflows, issue #6). One row per workflow run,
-- written when it starts and again when it ends.
CREATE TABLE deployments (
    id             text        NOT NULL,  -- workflow id, e.g. deploy/ragline/search-api
    run_id         text        NOT NULL,
    service        text        NOT NULL,
    namespace      text        NOT NULL,
    strategy       text        NOT NULL,  -- ROLLING, BLUE_GREEN, CANARY
    image          text        NOT NULL,
    previous_image text,
    outcome        text        NOT NULL,  -- RUNNING, SUCCEEDED, ROLLED_BACK, FAILED
    reason         text,
    request        jsonb       NOT NULL,
    steps          jsonb       NOT NULL DEFAULT '[]'::jsonb,
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, run_id)
);

CREATE INDEX deployments_service ON deployments (namespace, service, started_at DESC);
