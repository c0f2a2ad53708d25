package io.ragline.ops.dr;

import java.time.Duration;

/**
 * Where the dr overlay ({@code k8s/overlays/dr}) runs and how long its parts may take to come up.
 *
 * @param environment  the name DR requests use for it ({@code target: "dr"})
 * @param namespace    its namespace ({@code RAGLINE_DR_NAMESPACE}, ragline-dr as the overlay ships)
 * @param readyTimeout how long PostgreSQL's promotion and each Deployment's rollout may take
 */
public record KubernetesDrSettings(String environment, String namespace, Duration readyTimeout) {
    public static final String ENVIRONMENT = "dr";
    /** The environment that serves when the dr one does not. */
    public static final String PRIMARY = "primary";

    public static KubernetesDrSettings of(String namespace) {
        return new KubernetesDrSettings(ENVIRONMENT, namespace, Duration.ofMinutes(10));
    }
}
