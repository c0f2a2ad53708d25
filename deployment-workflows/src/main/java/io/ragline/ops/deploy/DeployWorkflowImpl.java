package io.ragline.ops.deploy;

import io.ragline.ops.Failures;
import io.ragline.ops.OpsStatus;
import io.ragline.ops.StepTracker;
import io.ragline.ops.backup.BackupRequest;
import io.ragline.ops.backup.BackupResult;
import io.ragline.ops.backup.BackupWorkflow;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;

public final class DeployWorkflowImpl implements DeployWorkflow {
    private static final String STABLE = "stable";
    private static final String CANARY = "canary";
    private static final String GREEN = "green";
    private final DeploySettings settings;
    private final StepTracker tracker = new StepTracker("deploy", Workflow::currentTimeMillis);
    private final DeployActivities k8s;
    private final DeployActivities rollbackK8s;
    private final AnalysisActivities analysis;
    private final DeploymentRecordActivities records;

    private DeployRequest request;
    private ClusterState cluster;
    private String backupId;
    private long startedAt;
    // signals
    private boolean approved;
    private boolean paused;
    private String abortReason;
    // what has been changed, so rollback undoes exactly that
    private boolean stableChanged;
    private boolean copyStarted;
    private boolean stableScaledDown;
    private boolean autoscalerPaused;

    public DeployWorkflowImpl(DeploySettings settings) {
        this.settings = settings;
        RetryOptions retry = RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(1))
                .setBackoffCoefficient(2)
                .setMaximumInterval(Duration.ofSeconds(30))
                .setMaximumAttempts(5)
                .build();
        this.k8s = Workflow.newActivityStub(DeployActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(retry)
                .build());
        // a rollback must not give up after a blip: it retries for much longer
        this.rollbackK8s = Workflow.newActivityStub(DeployActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setScheduleToCloseTimeout(Duration.ofMinutes(30))
                .setRetryOptions(RetryOptions.newBuilder(retry).setMaximumAttempts(0).build())
                .build());
        // a measurement that cannot be taken counts as failed; no point retrying it for long
        this.analysis = Workflow.newActivityStub(AnalysisActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(RetryOptions.newBuilder(retry).setMaximumAttempts(3).build())
                .build());
        this.records = Workflow.newActivityStub(DeploymentRecordActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(10))
                .setRetryOptions(RetryOptions.newBuilder(retry).setMaximumAttempts(10).build())
                .build());
    }

    @Override
    public DeployResult deploy(DeployRequest input) {
        startedAt = Workflow.currentTimeMillis();
        tracker.begin("validate");
        try {
            request = input.withDefaults(settings);
        } catch (IllegalArgumentException e) {
            tracker.finish("FAILED", "FAILED", e.getMessage());
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "InvalidInput");
        }
        tracker.figure("service", request.service());
        tracker.figure("image", request.image());
        tracker.figure("strategy", request.strategy().name());
        record("RUNNING", null, null);
        try {
            tracker.begin("pre-checks");
            cluster = inspect();
            tracker.figure("previousImage", cluster.currentImage());
            tracker.figure("replicas", cluster.replicas());
            if (request.preDeployBackup()) {
                preDeployBackup();
            } else {
                tracker.skip("pre-deploy backup", "not requested");
            }
            switch (request.strategy()) {
                case ROLLING -> rolling();
                case BLUE_GREEN -> blueGreen();
                case CANARY -> canary();
            }
            tracker.finish("SUCCEEDED", "OK", null);
            return finish("SUCCEEDED", null);
        } catch (RollbackRequested e) {
            return rollBackDetached(e.getMessage());
        } catch (ActivityFailure | ChildWorkflowFailure e) {
            boolean cancelled = e.getCause() instanceof CanceledFailure;
            return rollBackDetached(cancelled ? "workflow cancelled"
                    : tracker.snapshot().step() + " failed: " + Failures.describe(e));
        } catch (CanceledFailure e) {
            return rollBackDetached("workflow cancelled");
        }
    }

    /** Rolls back outside any cancelled scope, so a cancel from the UI still undoes what was done. */
    private DeployResult rollBackDetached(String reason) {
        DeployResult[] result = new DeployResult[1];
        Workflow.newDetachedCancellationScope(() -> result[0] = rollBack(reason)).run();
        return result[0];
    }

    private void preDeployBackup() {
        tracker.begin("pre-deploy backup");
        BackupRequest backup = request.backup() != null ? request.backup() : settings.defaultBackup();
        BackupWorkflow child = Workflow.newChildWorkflowStub(BackupWorkflow.class, ChildWorkflowOptions.newBuilder()
                .setWorkflowId(Workflow.getInfo().getWorkflowId() + "/backup")
                .build());
        BackupResult result = child.backup(backup == null ? new BackupRequest(null, null, null, null, null) : backup);
        backupId = result.backupId();
        tracker.figure("backupId", backupId);
    }

    private ClusterState inspect() {
        try {
            return k8s.inspect(request.namespace(), request.service(), request.strategy(), request.container());
        } catch (ActivityFailure e) {
            // a strategy that does not suit the workload is bad input: nothing was changed
            if (e.getCause() instanceof ApplicationFailure af && "InvalidInput".equals(af.getType())) {
                tracker.finish("FAILED", "FAILED", af.getOriginalMessage());
                finish("FAILED", af.getOriginalMessage());
                throw ApplicationFailure.newNonRetryableFailure(af.getOriginalMessage(), "InvalidInput");
            }
            throw e;
        }
    }

    private void rolling() {
        awaitApproval("before the rolling update");
        tracker.begin("set image");
        stableChanged = true;
        if (cluster.kind() == WorkloadKind.STATEFUL_SET) {
            k8s.setPartition(request.namespace(), request.service(), 0);
        }
        k8s.setImage(request.namespace(), cluster.kind(), request.service(), cluster.container(), request.image());
        awaitRollout(cluster.kind(), request.service());
        gate("analysis after rollout", Selectors.service(request.namespace(), request.service()));
    }

    /**
     * Deployments only: a full green copy takes the work (the stable Deployment is scaled to 0), stays
     * alone through the rollback window, then the stable Deployment takes the new image back, so the
     * names the ScaledObject, PDB and VPA refer to keep running the service.
     */
    private void blueGreen() {
        String ns = request.namespace();
        String service = request.service();
        pauseAutoscaler();
        tracker.begin("start green");
        copyStarted = true;
        k8s.createCopy(ns, service, GREEN, cluster.container(), request.image(), Math.max(1, cluster.replicas()));
        awaitRollout(WorkloadKind.DEPLOYMENT, service + "-" + GREEN);
        String green = Selectors.copy(ns, service, GREEN);
        gate("health check of green", green);
        awaitApproval("before moving the work to green");
        tracker.begin("scale down " + service);
        stableScaledDown = true;
        k8s.scale(ns, service, 0);
        tracker.figure("activeTrack", GREEN);
        rollbackWindow(green);
        tracker.begin("promote " + service);
        stableChanged = true;
        k8s.setImage(ns, WorkloadKind.DEPLOYMENT, service, cluster.container(), request.image());
        k8s.scale(ns, service, cluster.replicas());
        awaitRollout(WorkloadKind.DEPLOYMENT, service);
        stableScaledDown = false;
        tracker.figure("activeTrack", STABLE);
        tracker.begin("remove green");
        k8s.deleteCopy(ns, service, GREEN);
        copyStarted = false;
        resumeAutoscaler(k8s);
    }

    private void pauseAutoscaler() {
        if (cluster.scaledObject() == null) {
            return;
        }
        // KEDA would scale the stable Deployment back up from 0 while the work sits on green
        tracker.begin("pause autoscaler " + cluster.scaledObject());
        autoscalerPaused = true;
        k8s.setAutoscalingPaused(request.namespace(), cluster.scaledObject(), "true");
    }

    private void resumeAutoscaler(DeployActivities activities) {
        if (!autoscalerPaused) {
            return;
        }
        tracker.begin("resume autoscaler " + cluster.scaledObject());
        activities.setAutoscalingPaused(request.namespace(), cluster.scaledObject(), cluster.pausedBefore());
        autoscalerPaused = false;
    }

    private void rollbackWindow(String selector) {
        tracker.begin("rollback window (" + request.rollbackWindow() + ")");
        long end = Workflow.currentTimeMillis() + request.rollbackWindow().toMillis();
        AnalysisSpec spec = request.analysis();
        int failures = 0;
        while (Workflow.currentTimeMillis() < end) {
            Duration left = Duration.ofMillis(end - Workflow.currentTimeMillis());
            Duration wait = spec == null || spec.interval().compareTo(left) > 0 ? left : spec.interval();
            end += hold(wait);
            if (spec != null && Workflow.currentTimeMillis() <= end) {
                failures = measure(spec, selector, "window", failures);
            }
        }
    }

    private void canary() {
        if (cluster.kind() == WorkloadKind.STATEFUL_SET) {
            partitionCanary();
        } else {
            copyCanary();
        }
    }

    /**
     * StatefulSet: the new template is held back by the partition, which then lets through the highest
     * ordinals, ceil(weight% of the replicas) of them; the Service sends them their share of queries.
     */
    private void partitionCanary() {
        String ns = request.namespace();
        String service = request.service();
        tracker.begin("hold back the new revision");
        stableChanged = true;
        k8s.setPartition(ns, service, Math.max(1, cluster.replicas()));
        k8s.setImage(ns, WorkloadKind.STATEFUL_SET, service, cluster.container(), request.image());
        for (int weight : request.canarySteps()) {
            if (weight == 100) {
                awaitApproval("before updating every replica");
            }
            tracker.begin("canary at " + weight + "%");
            // the HorizontalPodAutoscaler may have changed the replica count since the last step
            int replicas = k8s.rolloutState(ns, WorkloadKind.STATEFUL_SET, service).replicas();
            int updated = canaryReplicas(weight, replicas);
            k8s.setPartition(ns, service, replicas - updated);
            tracker.figure("canaryWeight", weight);
            tracker.figure("canaryReplicas", updated);
            awaitRollout(WorkloadKind.STATEFUL_SET, service);
            gate("analysis at " + weight + "%", weight == 100 ? Selectors.service(ns, service)
                    : Selectors.ordinals(ns, service, replicas - updated, replicas));
        }
    }

    /** Deployment: a canary copy with ceil(weight% of the stable replicas), which take that share of the work. */
    private void copyCanary() {
        String ns = request.namespace();
        String service = request.service();
        tracker.begin("start canary");
        copyStarted = true;
        boolean created = false;
        for (int weight : request.canarySteps()) {
            if (weight == 100) {
                awaitApproval("before the canary takes a full share");
            }
            tracker.begin("canary at " + weight + "%");
            int replicas = canaryReplicas(weight, cluster.replicas());
            if (created) {
                k8s.scale(ns, service + "-" + CANARY, replicas);
            } else {
                k8s.createCopy(ns, service, CANARY, cluster.container(), request.image(), replicas);
                created = true;
            }
            tracker.figure("canaryWeight", weight);
            tracker.figure("canaryReplicas", replicas);
            awaitRollout(WorkloadKind.DEPLOYMENT, service + "-" + CANARY);
            gate("analysis at " + weight + "%", Selectors.copy(ns, service, CANARY));
        }
        tracker.begin("promote");
        stableChanged = true;
        k8s.setImage(ns, WorkloadKind.DEPLOYMENT, service, cluster.container(), request.image());
        awaitRollout(WorkloadKind.DEPLOYMENT, service);
        tracker.begin("remove canary");
        k8s.deleteCopy(ns, service, CANARY);
        copyStarted = false;
        tracker.figure("canaryWeight", 0);
    }

    static int canaryReplicas(int weight, int replicas) {
        return Math.max(1, (int) Math.ceil(weight * (double) Math.max(1, replicas) / 100));
    }

    private void awaitApproval(String where) {
        if (!request.requireApproval()) {
            return;
        }
        tracker.begin("await approval " + where);
        tracker.state("AWAITING_APPROVAL");
        boolean answered = Workflow.await(request.approvalTimeout(), () -> approved || abortReason != null);
        tracker.state("RUNNING");
        checkAbort();
        if (!answered) {
            throw new RollbackRequested("no approval within " + request.approvalTimeout());
        }
    }

    /** Polls the rollout until ready; the step times out after {@code stepTimeout} (paused time excluded). */
    private void awaitRollout(WorkloadKind kind, String deployment) {
        tracker.begin("await rollout of " + deployment);
        long deadline = Workflow.currentTimeMillis() + request.stepTimeout().toMillis();
        int polls = 0;
        while (true) {
            RolloutState state = k8s.rolloutState(request.namespace(), kind, deployment);
            tracker.figure("rollout." + deployment, state.updatedReplicas() + " updated, " + state.readyReplicas()
                    + " ready of " + state.replicas());
            if (state.ready()) {
                return;
            }
            if (Workflow.currentTimeMillis() >= deadline) {
                throw new RollbackRequested("rollout of " + deployment + " not ready within " + request.stepTimeout()
                        + " after " + polls + " checks");
            }
            polls++;
            deadline += hold(settings.pollInterval());
        }
    }

    private void gate(String name, String selector) {
        AnalysisSpec spec = request.analysis();
        if (spec == null) {
            tracker.skip(name, "no analysis configured");
            return;
        }
        tracker.begin(name);
        int failures = 0;
        for (int i = 0; i < spec.measurements(); i++) {
            hold(spec.interval());
            failures = measure(spec, selector, name, failures);
        }
    }

    private int measure(AnalysisSpec spec, String selector, String gate, int failures) {
        Measurement m;
        try {
            m = analysis.measure(spec, selector);
        } catch (ActivityFailure e) {
            m = new Measurement(null, null, false, "measurement failed: " + Failures.describe(e));
        }
        tracker.figure("lastMeasurement", m.detail());
        if (m.successRate() != null) {
            tracker.figure("successRate", m.successRate());
        }
        if (m.p95Millis() != null) {
            tracker.figure("p95Millis", m.p95Millis());
        }
        int failed = m.passed() ? failures : failures + 1;
        tracker.figure("gateFailures", failed);
        if (failed > spec.failureLimit()) {
            throw new RollbackRequested("gate '" + gate + "' failed: " + m.detail());
        }
        return failed;
    }

    /** Waits {@code d} unless aborted; a pause holds it further. Returns the milliseconds spent paused. */
    private long hold(Duration d) {
        Workflow.await(d, () -> abortReason != null);
        checkAbort();
        if (!paused) {
            return 0;
        }
        long from = Workflow.currentTimeMillis();
        tracker.state("PAUSED");
        Workflow.await(() -> !paused || abortReason != null);
        tracker.state("RUNNING");
        checkAbort();
        return Workflow.currentTimeMillis() - from;
    }

    private void checkAbort() {
        if (abortReason != null) {
            throw new RollbackRequested("aborted: " + abortReason);
        }
    }

    private DeployResult rollBack(String reason) {
        tracker.end("FAILED", reason);
        tracker.state("ROLLING_BACK");
        tracker.figure("rollbackReason", reason);
        boolean anything = stableChanged || copyStarted || stableScaledDown || autoscalerPaused;
        try {
            String ns = request.namespace();
            String service = request.service();
            if (stableChanged || stableScaledDown) {
                tracker.begin("restore " + service + " (" + cluster.currentImage() + ", " + cluster.replicas()
                        + " replicas)");
                if (stableChanged) {
                    rollbackK8s.setImage(ns, cluster.kind(), service, cluster.container(), cluster.currentImage());
                }
                if (cluster.kind() == WorkloadKind.STATEFUL_SET) {
                    rollbackK8s.setPartition(ns, service, 0);
                } else if (stableScaledDown) {
                    rollbackK8s.scale(ns, service, cluster.replicas());
                }
                // the copy keeps working until the stable pods are back
                awaitRollbackRollout(service);
                tracker.figure("activeTrack", STABLE);
            }
            if (copyStarted) {
                String track = request.strategy() == Strategy.BLUE_GREEN ? GREEN : CANARY;
                tracker.begin("remove " + track);
                rollbackK8s.deleteCopy(ns, service, track);
                tracker.figure("canaryWeight", 0);
            }
            resumeAutoscaler(rollbackK8s);
        } catch (ActivityFailure | RollbackRequested e) {
            String why = reason + "; rollback failed: " + Failures.describe(e);
            tracker.finish("FAILED", "FAILED", why);
            DeployResult result = finish("FAILED", why);
            throw ApplicationFailure.newNonRetryableFailure(why, "DeploymentFailed", result);
        }
        String outcome = anything ? "ROLLED_BACK" : "FAILED";
        tracker.finish(outcome, "OK", reason);
        DeployResult result = finish(outcome, reason);
        throw ApplicationFailure.newNonRetryableFailure("deployment " + outcome.toLowerCase().replace('_', ' ')
                + ": " + reason, anything ? "DeploymentRolledBack" : "DeploymentFailed", result);
    }

    private void awaitRollbackRollout(String deployment) {
        long deadline = Workflow.currentTimeMillis() + request.stepTimeout().toMillis();
        while (!rollbackK8s.rolloutState(request.namespace(), cluster.kind(), deployment).ready()) {
            if (Workflow.currentTimeMillis() >= deadline) {
                throw new RollbackRequested("rollback rollout of " + deployment + " not ready");
            }
            Workflow.sleep(settings.pollInterval());
        }
    }

    private DeployResult finish(String outcome, String reason) {
        record(outcome, reason, Instant.ofEpochMilli(Workflow.currentTimeMillis()));
        return new DeployResult(outcome, request.service(), request.namespace(), request.strategy(), request.image(),
                cluster == null ? null : cluster.currentImage(), backupId, reason);
    }

    private void record(String outcome, String reason, Instant finishedAt) {
        OpsStatus status = tracker.snapshot();
        records.record(new DeploymentRecord(Workflow.getInfo().getWorkflowId(), Workflow.getInfo().getRunId(),
                request.service(), request.namespace(), request.strategy(), request.image(),
                cluster == null ? null : cluster.currentImage(), outcome, reason, request, status.steps(),
                Instant.ofEpochMilli(startedAt), finishedAt));
    }

    @Override
    public void approve() {
        approved = true;
    }

    @Override
    public void abort(String reason) {
        abortReason = reason == null || reason.isBlank() ? "by an operator" : reason;
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
    }

    @Override
    public OpsStatus status() {
        return tracker.snapshot();
    }

    /** Internal control flow: caught in {@link #deploy}, never leaves the workflow. */
    private static final class RollbackRequested extends RuntimeException {
        RollbackRequested(String message) {
            super(message, null, false, false);
        }
    }
}
