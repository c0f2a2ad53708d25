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
    private boolean canaryStarted;
    private boolean stableChanged;
    private boolean idleStarted;
    private boolean switched;

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
            cluster = k8s.inspect(request.namespace(), request.service(), request.strategy(), request.container());
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

    private void rolling() {
        awaitApproval("before the rolling update");
        tracker.begin("set image");
        stableChanged = true;
        k8s.setImage(request.namespace(), request.service(), cluster.container(), request.image());
        awaitRollout(request.service());
        gate("analysis after rollout", request.service());
    }

    private void blueGreen() {
        String active = cluster.activeColour();
        String idle = "blue".equals(active) ? "green" : "blue";
        String idleDeployment = request.service() + "-" + idle;
        tracker.figure("activeColour", active);
        tracker.begin("start " + idle);
        idleStarted = true;
        k8s.setImage(request.namespace(), idleDeployment, cluster.container(), request.image());
        k8s.scale(request.namespace(), idleDeployment, Math.max(1, cluster.replicas()));
        awaitRollout(idleDeployment);
        gate("health check of " + idle, idleDeployment);
        awaitApproval("before switching traffic to " + idle);
        tracker.begin("switch service to " + idle);
        switched = true;
        k8s.switchSelector(request.namespace(), request.service(), idle);
        tracker.figure("activeColour", idle);
        rollbackWindow(idleDeployment);
        tracker.begin("scale down " + active);
        k8s.scale(request.namespace(), request.service() + "-" + active, 0);
    }

    private void rollbackWindow(String deployment) {
        tracker.begin("rollback window (" + request.rollbackWindow() + ")");
        long end = Workflow.currentTimeMillis() + request.rollbackWindow().toMillis();
        AnalysisSpec spec = request.analysis();
        int failures = 0;
        while (Workflow.currentTimeMillis() < end) {
            Duration left = Duration.ofMillis(end - Workflow.currentTimeMillis());
            Duration wait = spec == null || spec.interval().compareTo(left) > 0 ? left : spec.interval();
            end += hold(wait);
            if (spec != null && Workflow.currentTimeMillis() <= end) {
                failures = measure(spec, deployment, "window", failures);
            }
        }
    }

    private void canary() {
        String canary = request.service() + "-canary";
        tracker.begin("start canary");
        canaryStarted = true;
        k8s.startCanary(request.namespace(), request.service(), cluster.container(), request.image());
        awaitRollout(canary);
        for (int weight : request.canarySteps()) {
            if (weight == 100) {
                awaitApproval("before sending all traffic to the canary");
            }
            tracker.begin("canary at " + weight + "%");
            k8s.setCanaryWeight(request.namespace(), request.service(), weight);
            tracker.figure("canaryWeight", weight);
            gate("analysis at " + weight + "%", canary);
        }
        tracker.begin("promote");
        stableChanged = true;
        k8s.setImage(request.namespace(), request.service(), cluster.container(), request.image());
        awaitRollout(request.service());
        k8s.setCanaryWeight(request.namespace(), request.service(), 0);
        tracker.figure("canaryWeight", 0);
        k8s.removeCanary(request.namespace(), request.service());
        canaryStarted = false;
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
    private void awaitRollout(String deployment) {
        tracker.begin("await rollout of " + deployment);
        long deadline = Workflow.currentTimeMillis() + request.stepTimeout().toMillis();
        int polls = 0;
        while (true) {
            RolloutState state = k8s.rolloutState(request.namespace(), deployment);
            tracker.figure("rollout." + deployment, state.availableReplicas() + "/" + state.replicas());
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

    private void gate(String name, String target) {
        AnalysisSpec spec = request.analysis();
        if (spec == null) {
            tracker.skip(name, "no analysis configured");
            return;
        }
        tracker.begin(name);
        int failures = 0;
        for (int i = 0; i < spec.measurements(); i++) {
            hold(spec.interval());
            failures = measure(spec, target, name, failures);
        }
    }

    private int measure(AnalysisSpec spec, String target, String gate, int failures) {
        Measurement m;
        try {
            m = analysis.measure(spec, target);
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
        boolean anything = canaryStarted || stableChanged || idleStarted || switched;
        try {
            String ns = request.namespace();
            String service = request.service();
            if (switched) {
                tracker.begin("switch service back to " + cluster.activeColour());
                rollbackK8s.switchSelector(ns, service, cluster.activeColour());
                tracker.figure("activeColour", cluster.activeColour());
            }
            if (idleStarted) {
                String idle = "blue".equals(cluster.activeColour()) ? "green" : "blue";
                tracker.begin("scale down " + idle);
                rollbackK8s.scale(ns, service + "-" + idle, 0);
            }
            if (canaryStarted) {
                tracker.begin("remove canary");
                rollbackK8s.setCanaryWeight(ns, service, 0);
                tracker.figure("canaryWeight", 0);
                rollbackK8s.removeCanary(ns, service);
            }
            if (stableChanged) {
                tracker.begin("restore image " + cluster.currentImage());
                rollbackK8s.setImage(ns, service, cluster.container(), cluster.currentImage());
                awaitRollbackRollout(service);
            }
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
        while (!rollbackK8s.rolloutState(request.namespace(), deployment).ready()) {
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
