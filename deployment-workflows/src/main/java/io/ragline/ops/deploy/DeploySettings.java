package io.ragline.ops.deploy;

import io.ragline.ops.backup.BackupRequest;
import java.time.Duration;

/**
 * Worker-side defaults of {@link DeployWorkflowImpl}. Constant for the life of a worker: workflow
 * code reads them, so changing them under running workflows would break replay.
 *
 * @param pollInterval  how often a rollout's readiness is checked
 * @param defaultBackup the pre-deploy backup when the request names none
 */
public record DeploySettings(Duration approvalTimeout, Duration stepTimeout, Duration rollbackWindow,
                             Duration pollInterval, BackupRequest defaultBackup) {
    public static DeploySettings defaults() {
        return new DeploySettings(Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofMinutes(15),
                Duration.ofSeconds(5), null);
    }
}
