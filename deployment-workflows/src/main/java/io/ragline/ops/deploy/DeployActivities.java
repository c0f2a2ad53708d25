package io.ragline.ops.deploy;

import io.temporal.activity.ActivityInterface;

/**
 * Kubernetes side effects of a deployment. Each is idempotent: it sets a state rather than
 * applying a change, so a retry after a lost reply is harmless.
 *
 * <p>Naming: ROLLING and CANARY change Deployment {@code <service>}; CANARY also needs Ingress
 * {@code <service>} and creates {@code <service>-canary} (Deployment, Service, Ingress); BLUE_GREEN
 * needs Deployments {@code <service>-blue}, {@code <service>-green} and Service {@code <service>}
 * selecting label {@code colour}.
 */
@ActivityInterface(namePrefix = "Deploy")
public interface DeployActivities {
    String COLOUR_LABEL = "colour";

    /** Pre-checks: cluster reachable, namespace and the strategy's objects exist. */
    ClusterState inspect(String namespace, String service, Strategy strategy, String container);

    void setImage(String namespace, String deployment, String container, String image);

    void scale(String namespace, String deployment, int replicas);

    RolloutState rolloutState(String namespace, String deployment);

    /** Points Service {@code service} at {@code colour}. */
    void switchSelector(String namespace, String service, String colour);

    /** Creates (or resets) the canary Deployment, Service and Ingress at weight 0. */
    void startCanary(String namespace, String service, String container, String image);

    void setCanaryWeight(String namespace, String service, int weight);

    /** Deletes the canary Ingress first (all traffic back to stable), then its Service and Deployment. */
    void removeCanary(String namespace, String service);
}
