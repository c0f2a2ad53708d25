package io.ragline.ops.deploy;

import io.ragline.ops.backup.BackupRequest;
import java.time.Duration;
import java.util.List;

/**
 * The one input of {@link DeployWorkflow}, typed into the Temporal UI. Only {@code service},
 * {@code image}, {@code namespace} and {@code strategy} are required.
 *
 * @param canarySteps     canary weights in percent, ascending; 100 is appended when missing
 * @param analysis        gates after each canary step, before the work moves to a blue-green copy and
 *                        during its rollback window, after a rolling update; none when null
 * @param approvalTimeout how long to wait for {@code approve} when {@code requireApproval} (then abort)
 * @param stepTimeout     how long a rollout may take to become ready (then roll back)
 * @param rollbackWindow  blue-green: how long the green copy runs alone (the stable Deployment at 0, ready
 *                        to come back) before the stable Deployment takes the new image
 * @param container       container whose image changes; the first one when null
 * @param backup          the pre-deploy backup; the worker's default backup when null
 */
public record DeployRequest(String service, String image, String namespace, Strategy strategy,
                            List<Integer> canarySteps, AnalysisSpec analysis, boolean preDeployBackup,
                            boolean requireApproval, Duration approvalTimeout, Duration stepTimeout,
                            Duration rollbackWindow, String container, BackupRequest backup) {

    /** A copy with every optional field filled in; throws {@link IllegalArgumentException} on bad input. */
    public DeployRequest withDefaults(DeploySettings settings) {
        require(service, "service");
        require(image, "image");
        require(namespace, "namespace");
        if (strategy == null) {
            throw new IllegalArgumentException("'strategy' is required: ROLLING, BLUE_GREEN or CANARY");
        }
        List<Integer> steps = canarySteps == null || canarySteps.isEmpty() ? List.of(5, 25, 50, 100) : canarySteps;
        int previous = 0;
        for (Integer step : steps) {
            if (step == null || step <= previous || step > 100) {
                throw new IllegalArgumentException("'canarySteps' must ascend within 1..100, was " + steps);
            }
            previous = step;
        }
        if (previous != 100) {
            steps = new java.util.ArrayList<>(steps);
            steps.add(100);
        }
        return new DeployRequest(service, image, namespace, strategy, List.copyOf(steps),
                analysis == null ? null : analysis.withDefaults(), preDeployBackup, requireApproval,
                approvalTimeout == null ? settings.approvalTimeout() : approvalTimeout,
                stepTimeout == null ? settings.stepTimeout() : stepTimeout,
                rollbackWindow == null ? settings.rollbackWindow() : rollbackWindow,
                container, backup);
    }

    private static void require(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + name + "' is required");
        }
    }
}
