package io.ragline.ops.dr;

/**
 * The one input of {@link DisasterRecoveryWorkflow}.
 *
 * @param source where the backups are: {@code file:///path} or {@code s3://bucket/prefix}
 * @param target the environment to recover into (see {@link Environments})
 */
public record DrRequest(DrMode mode, String source, String target) {
}
