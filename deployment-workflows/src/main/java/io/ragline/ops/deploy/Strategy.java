package io.ragline.ops.deploy;

/** How a new image replaces the running one. */
public enum Strategy {
    /** Set the image on the Deployment and watch the rollout. */
    ROLLING,
    /** Start the idle colour, wait ready, switch the Service selector, keep the old colour for a window. */
    BLUE_GREEN,
    /** A canary Deployment behind an NGINX canary Ingress whose weight walks through the steps. */
    CANARY
}
