package io.ragline.ops.deploy;

/**
 * A workload's rollout as its controller reports it in the status.
 *
 * @param ready     Deployment: every replica runs the new spec and is available, no old one left;
 *                  StatefulSet: every pod at or above {@code partition} runs the new revision and all
 *                  pods are ready (with partition 0 also {@code currentRevision == updateRevision})
 * @param partition StatefulSet {@code rollingUpdate.partition}; 0 for a Deployment
 */
public record RolloutState(String name, boolean ready, int replicas, int updatedReplicas, int readyReplicas,
                           int partition, String image) {
}
