package io.ragline.ops.deploy;

import io.ragline.ops.StepEntry;
import java.time.Instant;
import java.util.List;

/** One row of the {@code deployments} table (migration V100). */
public record DeploymentRecord(String id, String runId, String service, String namespace, Strategy strategy,
                               String image, String previousImage, String outcome, String reason,
                               DeployRequest request, List<StepEntry> steps, Instant startedAt,
                               Instant finishedAt) {
}
