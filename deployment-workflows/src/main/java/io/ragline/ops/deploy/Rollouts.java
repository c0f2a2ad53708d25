package io.ragline.ops.deploy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import java.util.Objects;

/** A workload's rollout as its controller's status reports it (what {@code kubectl rollout status} reads). */
final class Rollouts {
    private Rollouts() {
    }

    static RolloutState of(Deployment d) {
        int wanted = replicas(d.getSpec().getReplicas());
        DeploymentStatus s = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        long observed = orZero(s.getObservedGeneration());
        int updated = orZero(s.getUpdatedReplicas());
        int available = orZero(s.getAvailableReplicas());
        int total = orZero(s.getReplicas());
        // what `kubectl rollout status` checks: the controller saw this spec, every replica is new and
        // available, and no old replica is left
        boolean ready = observed >= generation(d.getMetadata().getGeneration()) && updated >= wanted
                && available >= wanted && total <= wanted;
        return new RolloutState(d.getMetadata().getName(), ready, wanted, updated, orZero(s.getReadyReplicas()), 0,
                d.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage());
    }

    static RolloutState of(StatefulSet set) {
        int wanted = replicas(set.getSpec().getReplicas());
        StatefulSetUpdateStrategy strategy = set.getSpec().getUpdateStrategy();
        int partition = strategy == null || strategy.getRollingUpdate() == null ? 0
                : orZero(strategy.getRollingUpdate().getPartition());
        StatefulSetStatus s = set.getStatus() == null ? new StatefulSetStatus() : set.getStatus();
        long observed = orZero(s.getObservedGeneration());
        int updated = orZero(s.getUpdatedReplicas());
        int readyPods = orZero(s.getReadyReplicas());
        // the pods at ordinals >= partition run the new revision; all pods are ready; with no
        // partition left, the controller has made the update revision the current one
        boolean ready = observed >= generation(set.getMetadata().getGeneration())
                && updated >= Math.max(0, wanted - partition) && readyPods == wanted && orZero(s.getReplicas()) == wanted
                && (partition > 0 || (s.getUpdateRevision() != null
                        && Objects.equals(s.getCurrentRevision(), s.getUpdateRevision())));
        return new RolloutState(set.getMetadata().getName(), ready, wanted, updated, readyPods, partition,
                set.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage());
    }

    private static int replicas(Integer replicas) {
        return replicas == null ? 1 : replicas;
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    private static long generation(Long value) {
        return value == null ? 0 : value;
    }
}
