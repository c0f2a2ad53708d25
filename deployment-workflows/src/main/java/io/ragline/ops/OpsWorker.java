package io.ragline.ops;

import io.ragline.ops.backup.BackupActivitiesImpl;
import io.ragline.ops.backup.BackupSchedulerWorkflowImpl;
import io.ragline.ops.backup.BackupSettings;
import io.ragline.ops.backup.BackupWorkflow;
import io.ragline.ops.backup.BackupWorkflowImpl;
import io.ragline.ops.deploy.AnalysisActivitiesImpl;
import io.ragline.ops.deploy.DeployActivitiesImpl;
import io.ragline.ops.deploy.DeploySettings;
import io.ragline.ops.deploy.DeployWorkflow;
import io.ragline.ops.deploy.DeployWorkflowImpl;
import io.ragline.ops.deploy.DeploymentRecordActivitiesImpl;
import io.ragline.ops.deploy.PrometheusClient;
import io.ragline.ops.dr.DisasterRecoveryWorkflow;
import io.ragline.ops.dr.DisasterRecoveryWorkflowImpl;
import io.ragline.ops.dr.DrActivitiesImpl;
import io.ragline.ops.restore.RestoreActivitiesImpl;
import io.ragline.ops.restore.RestoreWorkflow;
import io.ragline.ops.restore.RestoreWorkflowImpl;
import io.temporal.worker.Worker;
import java.net.http.HttpClient;

/** Registers the operations workflows and activities on a worker. */
public final class OpsWorker {
    /** The task queue operators start ops workflows on (Temporal UI, {@code ./ragline ops ...}). */
    public static final String TASK_QUEUE = "ragline-ops";

    private OpsWorker() {
    }

    /** The task queue of environment {@code name}'s own restore worker (disaster recovery). */
    public static String environmentTaskQueue(String name) {
        return TASK_QUEUE + "." + name;
    }

    /** Every workflow and activity of this module, on a worker polling {@link #TASK_QUEUE}. */
    public static void register(Worker worker, DeploySettings deploy, BackupSettings backup, OpsResources resources) {
        worker.registerWorkflowImplementationFactory(DeployWorkflow.class, () -> new DeployWorkflowImpl(deploy));
        worker.registerWorkflowImplementationFactory(BackupWorkflow.class, () -> new BackupWorkflowImpl(backup));
        worker.registerWorkflowImplementationTypes(BackupSchedulerWorkflowImpl.class);
        worker.registerWorkflowImplementationTypes(RestoreWorkflowImpl.class, DisasterRecoveryWorkflowImpl.class);
        PrometheusClient prometheus = resources.prometheus() != null ? resources.prometheus()
                : new PrometheusClient(HttpClient.newHttpClient());
        worker.registerActivitiesImplementations(
                new DeployActivitiesImpl(resources.kubernetes()),
                new AnalysisActivitiesImpl(prometheus),
                new DeploymentRecordActivitiesImpl(resources.metadata(), resources.metrics()),
                new BackupActivitiesImpl(resources),
                new RestoreActivitiesImpl(resources),
                new DrActivitiesImpl(resources),
                new OpsOutcomeActivitiesImpl(resources.metrics()));
    }

    /**
     * Only the restore activities, bound to another environment's resources, on a worker polling
     * {@link #environmentTaskQueue}: what a DR target runs so that restores land in it.
     */
    public static void registerRestoreTarget(Worker worker, OpsResources resources) {
        worker.registerActivitiesImplementations(new RestoreActivitiesImpl(resources));
    }
}
