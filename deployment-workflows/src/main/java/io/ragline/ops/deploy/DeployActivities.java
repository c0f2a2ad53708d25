package io.ragline.ops.deploy;

import io.temporal.activity.ActivityInterface;

/**
 * Kubernetes side effects of a deployment, on the objects {@code k8s/} ships: Deployments
 * ragline-ingest, ragline-embedder, ragline-workflows and StatefulSet ragline-search. Each call sets
 * a state rather than applying a change, so a retry after a lost reply is harmless. The ragline-ops
 * Role ({@code k8s/base/rbac/ops-role.yaml}) grants exactly the requests these make.
 *
 * <p>Copies: CANARY and BLUE_GREEN of a Deployment create Deployment {@code <service>-canary} or
 * {@code <service>-green} from the stable one's pod template, labelled as the stable pods (so the
 * Service, NetworkPolicies, PDB and ServiceMonitor select them) but with {@code ragline.io/track}
 * {@code canary} or {@code green} instead of {@code stable}.
 */
@ActivityInterface(namePrefix = "Deploy")
public interface DeployActivities {
    String TRACK_LABEL = "ragline.io/track";
    String KEDA_PAUSED = "autoscaling.keda.sh/paused";

    /** Pre-checks: the workload exists, has the container, and the strategy suits its kind. */
    ClusterState inspect(String namespace, String service, Strategy strategy, String container);

    /** Sets {@code container}'s image in the workload's pod template. */
    void setImage(String namespace, WorkloadKind kind, String name, String container, String image);

    /** Sets StatefulSet {@code name}'s {@code updateStrategy.rollingUpdate.partition}. */
    void setPartition(String namespace, String name, int partition);

    /** Sets Deployment {@code name}'s replicas. */
    void scale(String namespace, String deployment, int replicas);

    RolloutState rolloutState(String namespace, WorkloadKind kind, String name);

    /** Creates (or resets) Deployment {@code <stable>-<track>} with {@code image} and {@code replicas}. */
    void createCopy(String namespace, String stable, String track, String container, String image, int replicas);

    /** Deletes Deployment {@code <stable>-<track>}; gone already is fine. */
    void deleteCopy(String namespace, String stable, String track);

    /** Sets the ScaledObject's {@code autoscaling.keda.sh/paused} annotation; null removes it. */
    void setAutoscalingPaused(String namespace, String scaledObject, String paused);
}
