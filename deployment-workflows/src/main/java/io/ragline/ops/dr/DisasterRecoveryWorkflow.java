package io.ragline.ops.dr;

import io.ragline.ops.OpsStatus;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Restores the newest backup into another environment, smoke-tests it, and either switches
 * traffic to it (FAILOVER) or tears it down (DRILL); reports the measured RPO and RTO.
 */
@WorkflowInterface
public interface DisasterRecoveryWorkflow {
    @WorkflowMethod
    DrResult recover(DrRequest request);

    @QueryMethod
    OpsStatus status();
}
