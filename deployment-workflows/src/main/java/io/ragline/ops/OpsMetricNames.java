package io.ragline.ops;

import java.util.List;

/**
 * Metrics of the operations workflows, by Micrometer name (core's {@code MetricNames} holds the
 * data path's). Units are part of the names, so Prometheus sees them as they are written
 * ({@code ragline_dr_rpo_seconds}, {@code ragline_ops_workflows_total}, ...).
 */
public final class OpsMetricNames {
    /** Gauge, tag mode: age, when the last disaster-recovery run started, of the data it restored, in seconds. */
    public static final String DR_RPO = "ragline.dr.rpo.seconds";
    /** Gauge, tag mode: documents acknowledged after the backup the last DR run restored, which its target lacks. */
    public static final String DR_RPO_DOCUMENTS = "ragline.dr.rpo.documents";
    /** Gauge, tag mode: wall time of the last disaster-recovery run until the target served, in seconds. */
    public static final String DR_RTO = "ragline.dr.rto.seconds";
    /** Gauge: epoch seconds of the newest complete backup; alert when older than the RPO target. */
    public static final String BACKUP_LAST_SUCCESS = "ragline.backup.last.success.timestamp.seconds";
    /** Gauge: bytes of the newest complete backup. */
    public static final String BACKUP_SIZE = "ragline.backup.size.bytes";
    /** Counter, tags strategy, outcome: finished deployments. */
    public static final String DEPLOYMENTS = "ragline.deployments";
    /** Counter, tags workflow, outcome: finished operations workflows (deploy, dr), for the failure alerts. */
    public static final String OPS_WORKFLOWS = "ragline.ops.workflows";

    private OpsMetricNames() {
    }

    public static List<String> all() {
        return List.of(DR_RPO, DR_RPO_DOCUMENTS, DR_RTO, BACKUP_LAST_SUCCESS, BACKUP_SIZE, DEPLOYMENTS, OPS_WORKFLOWS);
    }
}
