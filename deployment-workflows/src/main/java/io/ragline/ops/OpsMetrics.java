package io.ragline.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The gauges and counters of {@link OpsMetricNames}, registered once per registry. */
public final class OpsMetrics {
    private final MeterRegistry registry;
    private final AtomicLong lastBackup = new AtomicLong();
    private final AtomicLong backupBytes = new AtomicLong();
    private final Map<String, AtomicLong> rpo = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> rto = new ConcurrentHashMap<>();

    public OpsMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(OpsMetricNames.BACKUP_LAST_SUCCESS, lastBackup, AtomicLong::get)
                .description("epoch seconds of the newest complete backup").register(registry);
        Gauge.builder(OpsMetricNames.BACKUP_SIZE, backupBytes, AtomicLong::get)
                .description("size of the newest complete backup").register(registry);
    }

    public void backupCompleted(long epochSeconds, long bytes) {
        lastBackup.accumulateAndGet(epochSeconds, Math::max);
        backupBytes.set(bytes);
    }

    public void disasterRecovery(String mode, long rpoSeconds, long rtoSeconds) {
        gauge(rpo, OpsMetricNames.DR_RPO, mode, "age of the data the last DR run restored").set(rpoSeconds);
        gauge(rto, OpsMetricNames.DR_RTO, mode, "wall time of the last DR run until the target served").set(rtoSeconds);
        workflowFinished("dr", "completed");
    }

    /** One finished operations workflow; {@code outcome} is completed, rolled_back, failed, ... */
    public void workflowFinished(String workflow, String outcome) {
        registry.counter(OpsMetricNames.OPS_WORKFLOWS, "workflow", workflow, "outcome", outcome.toLowerCase(java.util.Locale.ROOT))
                .increment();
    }

    public void deploymentFinished(String strategy, String outcome) {
        registry.counter(OpsMetricNames.DEPLOYMENTS, "strategy", strategy, "outcome", outcome).increment();
        workflowFinished("deploy", outcome);
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
