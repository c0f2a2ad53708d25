package io.ragline.ops.deploy;

/** How a new image replaces the running one (deployment-workflows/README.md, "DeployWorkflow"). */
public enum Strategy {
    /** Set the image in the workload's pod template and watch its controller's rollout. */
    ROLLING,
    /** Deployments only: a green copy takes the work while the stable Deployment is at 0, then hands it back. */
    BLUE_GREEN,
    /** A share of the pods on the new image: a canary copy of a Deployment, or a StatefulSet's partition. */
    CANARY
}
