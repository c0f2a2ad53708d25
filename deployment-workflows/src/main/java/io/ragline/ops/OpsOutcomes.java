package io.ragline.ops;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Workflow-side helper of {@link OpsOutcomeActivities}: counts an outcome through an activity (on
 * the workflow's own task queue, whose worker owns the metrics), even while the workflow is being
 * cancelled, and never lets the count replace the workflow's own failure.
 */
public final class OpsOutcomes {
    /** Histories from before outcomes were counted replay without the activity. */
    static final String CHANGE_ID = "count-ops-outcomes";

    private OpsOutcomes() {
    }

    public static void failed(String workflow) {
        finished(workflow, "failed");
    }

    public static void finished(String workflow, String outcome) {
        if (Workflow.getVersion(CHANGE_ID, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
            return;
        }
        OpsOutcomeActivities activities = Workflow.newActivityStub(OpsOutcomeActivities.class,
                ActivityOptions.newBuilder()
                        .setStartToCloseTimeout(Duration.ofSeconds(10))
                        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(3).build())
                        .build());
        try {
            Workflow.newDetachedCancellationScope(() -> activities.finished(workflow, outcome)).run();
        } catch (ActivityFailure e) {
            Workflow.getLogger(OpsOutcomes.class).warn("cannot count {} {}: {}", workflow, outcome,
                    Failures.describe(e));
        }
    }
}
