package io.ragline.ops.deploy;

import io.temporal.activity.ActivityInterface;

/** The deployment history in PostgreSQL. */
@ActivityInterface(namePrefix = "DeploymentRecord")
public interface DeploymentRecordActivities {
    /** Inserts or updates the deployment's row (by workflow id). */
    void record(DeploymentRecord record);
}
