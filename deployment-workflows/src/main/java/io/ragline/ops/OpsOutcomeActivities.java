package io.ragline.ops;

import io.temporal.activity.ActivityInterface;

/**
 * Counts finished operations workflows in {@link OpsMetricNames#OPS_WORKFLOWS}. Called by the
 * workflows where they know their outcome for sure (a failure path, the end), through
 * {@link OpsOutcomes}, so that the workflow code stays deterministic.
 */
@ActivityInterface(namePrefix = "OpsOutcome")
public interface OpsOutcomeActivities {
    /** One finished {@code workflow} (backup, restore, dr) with {@code outcome} (completed, failed). */
    void finished(String workflow, String outcome);
}
