package io.ragline.ingest.reindex;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Re-embeds every active chunk into a new index generation while the current one keeps serving,
 * waits until the new generation holds every active chunk, switches search replicas to it
 * atomically and drops the old one. Resumable: the scan continues as new every few batches
 * with its cursor; a retried scan batch republishes at most that batch again (upserts make it
 * harmless). Startable from the Temporal UI with a JSON {@link ReindexRequest}.
 */
@WorkflowInterface
public interface ReindexWorkflow {
    String TASK_QUEUE = "ragline-reindex";
    /** The workflow type, as the Temporal UI and untyped stubs name it. */
    String TYPE = "ReindexWorkflow";

    @WorkflowMethod
    ReindexProgress run(ReindexRequest request);

    @QueryMethod
    ReindexProgress progress();
}
