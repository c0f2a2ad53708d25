package io.ragline.ops.deploy;

/** A Deployment's rollout as its status reports it; {@code ready} once every replica runs the new spec. */
public record RolloutState(String deployment, boolean ready, int replicas, int updatedReplicas,
                           int availableReplicas, String image) {
}
