package io.ragline.ops.deploy;

/**
 * What the pre-checks found.
 *
 * @param currentImage  the image serving now (the previous image once deployed)
 * @param replicas      replicas of the serving Deployment
 * @param activeColour  blue-green: the colour the Service selects now; null otherwise
 * @param container     the container whose image changes
 */
public record ClusterState(String currentImage, int replicas, String activeColour, String container) {
}
