package io.ragline.ops.dr;

/** Sends user traffic to an environment: a Kubernetes Ingress now, DNS later. */
public interface TrafficSwitch {
    /** Routes traffic to {@code environment}; returns the environment that had it. Idempotent. */
    String switchTo(String environment);

    /** The environment traffic goes to now. */
    String current();
}
