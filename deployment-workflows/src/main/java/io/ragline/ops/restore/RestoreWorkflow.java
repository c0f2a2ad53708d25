package io.ragline.ops.restore;

import io.ragline.ops.OpsStatus;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Restores a backup: verify checksums, pause ingestion, restore metadata, index and offsets,
 * verify against the manifest and the recorded probe results, resume ingestion. Whatever fails,
 * ingestion is resumed (Saga compensation).
 */
@WorkflowInterface
public interface RestoreWorkflow {
    @WorkflowMethod
    RestoreResult restore(RestoreRequest request);

    @QueryMethod
    OpsStatus status();
}
