package io.ragline.ops.backup;

import io.ragline.ops.OpsStatus;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Backs up the scopes asked for into a target, writes a manifest with SHA-256 checksums, then
 * deletes backups past retention. {@link HourlyBackup} runs it hourly.
 */
@WorkflowInterface
public interface BackupWorkflow {
    @WorkflowMethod
    BackupResult backup(BackupRequest request);

    @QueryMethod
    OpsStatus status();
}
