package io.ragline.devstack.deploy;

import io.ragline.ops.deploy.DeploymentRecord;
import io.ragline.ops.deploy.DeploymentRecordActivities;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The deployments table in memory (PostgreSQL's is tested with DeployWorkflowTest). */
final class RecordedDeployments implements DeploymentRecordActivities {
    private final List<DeploymentRecord> rows = new CopyOnWriteArrayList<>();

    @Override
    public void record(DeploymentRecord record) {
        rows.add(record);
    }

    String lastOutcome() {
        return rows.isEmpty() ? null : rows.getLast().outcome();
    }
}
