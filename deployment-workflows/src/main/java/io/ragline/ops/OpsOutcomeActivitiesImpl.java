package io.ragline.ops;

/** {@link OpsOutcomeActivities} on this worker's {@link OpsMetrics}. */
public final class OpsOutcomeActivitiesImpl implements OpsOutcomeActivities {
    private final OpsMetrics metrics;

    public OpsOutcomeActivitiesImpl(OpsMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void finished(String workflow, String outcome) {
        // at least once: a retried call counts again
        metrics.workflowFinished(workflow, outcome);
    }
}
