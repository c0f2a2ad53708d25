package io.ragline.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The gauges and counters of {@link OpsMetricNames}, registered once per registry. */
public final class OpsMetrics {
    /** The outcome of {@link OpsMetricNames#OPS_WORKFLOWS} for a deploy that was rolled back. */
    public static final String ROLLED_BACK = "rolled_back";
    private final MeterRegistry registry;
    private final AtomicLong lastBackup = new AtomicLong();
    private final AtomicLong backupBytes = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean backupGauges = new java.util.concurrent.atomic.AtomicBoolean();
    private final Map<String, AtomicLong> rpo = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> rto = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> rpoDocuments = new ConcurrentHashMap<>();

    public OpsMetrics(MeterRegistry registry) {
        this.registry = registry;
        // the outcomes the alert and the dashboard look for, at zero from the start: increase() answers
        // 0 rather than nothing until one happens
        for (String workflow : List.of("deploy", "backup", "restore", "dr")) {
            for (String outcome : List.of("completed", "failed")) {
                counter(workflow, outcome);
            }
        }
        // a deploy that rolled back failed its gates: RaglineOpsWorkflowFailed matches rolled_back too
        counter("deploy", ROLLED_BACK);
    }

    /** A backup this worker wrote: it is the newest, and one more completed run. */
    public void backupCompleted(long epochSeconds, long bytes) {
        backupObserved(epochSeconds, bytes);
        workflowFinished("backup", "completed");
    }

    /**
     * The newest complete backup known, read from the target's manifests (at start, then on a timer) or
     * just written. The gauges exist from the first one on: a gauge at 0 before it would read as a
     * backup in 1970 (RaglineBackupTooOld at once, RaglineBackupNeverSucceeded never); an older
     * backup than the one known changes nothing.
     */
    public synchronized void backupObserved(long epochSeconds, long bytes) {
        if (backupGauges.compareAndSet(false, true)) {
            // strong references: Micrometer holds a gauge's object weakly, and a collected one reads NaN
            Gauge.builder(OpsMetricNames.BACKUP_LAST_SUCCESS, lastBackup, AtomicLong::get).strongReference(true)
                    .description("epoch seconds of the newest complete backup").register(registry);
            Gauge.builder(OpsMetricNames.BACKUP_SIZE, backupBytes, AtomicLong::get).strongReference(true)
                    .description("size of the newest complete backup").register(registry);
        }
        if (epochSeconds >= lastBackup.get()) {
            lastBackup.set(epochSeconds);
            backupBytes.set(bytes);
        }
    }

    private io.micrometer.core.instrument.Counter counter(String workflow, String outcome) {
        return registry.counter(OpsMetricNames.OPS_WORKFLOWS, "workflow", workflow, "outcome",
                outcome.toLowerCase(java.util.Locale.ROOT));
    }

    public void disasterRecovery(String mode, long rpoSeconds, long rtoSeconds) {
        gauge(rpo, OpsMetricNames.DR_RPO, mode, "age of the data the last DR run restored, at the run's start").set(rpoSeconds);
        gauge(rto, OpsMetricNames.DR_RTO, mode, "wall time of the last DR run until the target served").set(rtoSeconds);
        // the run's outcome is counted by the workflow at its end (OpsOutcomeActivities)
    }

    /** Documents acknowledged after the restored backup that the last DR run's target lacks. */
    public void disasterRecoveryDocuments(String mode, long documents) {
        gauge(rpoDocuments, OpsMetricNames.DR_RPO_DOCUMENTS, mode,
                "documents acknowledged after the restored backup that the last DR run's target lacks").set(documents);
    }

    /** One finished operations workflow; {@code outcome} is completed, failed or (deploy) rolled_back. */
    public void workflowFinished(String workflow, String outcome) {
        counter(workflow, outcome).increment();
    }

    /** {@code outcome}: the deployment's own, SUCCEEDED, ROLLED_BACK or FAILED. */
    public void deploymentFinished(String strategy, String outcome) {
        registry.counter(OpsMetricNames.DEPLOYMENTS, "strategy", strategy, "outcome", outcome).increment();
        // the workflow counter speaks the outcomes the alert and the pre-registered series know
        workflowFinished("deploy", "SUCCEEDED".equalsIgnoreCase(outcome) ? "completed" : outcome);
    }

    private AtomicLong gauge(Map<String, AtomicLong> holders, String name, String mode, String description) {
        return holders.computeIfAbsent(mode, m -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder(name, holder, AtomicLong::get).tag("mode", m)
                    .description(description).register(registry);
            return holder;
        });
    }
}
