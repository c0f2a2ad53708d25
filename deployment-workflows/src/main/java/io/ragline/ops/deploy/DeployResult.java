package io.ragline.ops.deploy;

/**
 * How a deployment ended. A rolled-back or failed deployment also fails the workflow (type
 * {@code DeploymentRolledBack} or {@code DeploymentFailed}) with this as the failure's details.
 *
 * @param outcome SUCCEEDED, ROLLED_BACK or FAILED
 */
public record DeployResult(String outcome, String service, String namespace, Strategy strategy, String image,
                           String previousImage, String backupId, String reason) {
}
