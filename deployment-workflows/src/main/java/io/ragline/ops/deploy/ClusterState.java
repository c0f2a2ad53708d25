package io.ragline.ops.deploy;

/**
 * What the pre-checks found.
 *
 * @param kind           Deployment or StatefulSet {@code service}
 * @param currentImage   the image serving now (the previous image once deployed)
 * @param replicas       replicas of the workload (the autoscaler's current choice)
 * @param container      the container whose image changes
 * @param scaledObject   blue-green: the KEDA ScaledObject that scales the Deployment, paused while the
 *                       work sits on the green copy; null when none does
 * @param pausedBefore   its {@code autoscaling.keda.sh/paused} annotation before the deploy (restored
 *                       at the end); null when it had none
 */
public record ClusterState(WorkloadKind kind, String currentImage, int replicas, String container,
                           String scaledObject, String pausedBefore) {
}
