package io.ragline.ops.deploy;

import io.ragline.ops.OpsStatus;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Deploys one image of one service, rolling, blue-green or canary, and rolls back on its own when
 * an analysis gate fails, a rollout times out, an approval never comes or an operator aborts.
 * Use {@link #workflowId} so that one service never has two deployments at once.
 */
@WorkflowInterface
public interface DeployWorkflow {
    static String workflowId(String namespace, String service) {
        return "deploy/" + namespace + "/" + service;
    }

    @WorkflowMethod
    DeployResult deploy(DeployRequest request);

    /** Lets a deployment that waits for approval go on. */
    @SignalMethod
    void approve();

    /** Stops the deployment and rolls back whatever it changed. */
    @SignalMethod
    void abort(String reason);

    /** Holds the deployment at the next step boundary (timers of the waiting step stop counting). */
    @SignalMethod
    void pause();

    @SignalMethod
    void resume();

    @QueryMethod
    OpsStatus status();
}
