package io.ragline.ops.dr;

import io.ragline.ops.Failures;
import io.ragline.ops.OpsOutcomes;
import io.ragline.ops.OpsStatus;
import io.ragline.ops.StepTracker;
import io.ragline.ops.restore.RestoreRequest;
import io.ragline.ops.restore.RestoreResult;
import io.ragline.ops.restore.RestoreWorkflow;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public final class DisasterRecoveryWorkflowImpl implements DisasterRecoveryWorkflow {
    /** Histories from before the preconditions and the data-loss count replay the old first step. */
    static final String PRECONDITIONS_CHANGE = "dr-preconditions-and-data-loss";
    private final StepTracker tracker = new StepTracker("disaster-recovery", Workflow::currentTimeMillis);
    private final DrActivities activities;

    public DisasterRecoveryWorkflowImpl() {
        this.activities = Workflow.newActivityStub(DrActivities.class, ActivityOptions.newBuilder()
                // starting a whole environment takes minutes
                .setStartToCloseTimeout(Duration.ofMinutes(15))
                .setRetryOptions(RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(2))
                        .setBackoffCoefficient(2)
                        .setMaximumInterval(Duration.ofMinutes(1))
                        .setMaximumAttempts(5)
                        .build())
                .build());
    }

    @Override
    public DrResult recover(DrRequest request) {
        long start = Workflow.currentTimeMillis();
        tracker.begin("validate");
        if (request.mode() == null || request.source() == null || request.source().isBlank()
                || request.target() == null || request.target().isBlank()) {
            String why = "'mode' (DRILL or FAILOVER), 'source' (backup location) and 'target' (environment) are required";
            tracker.finish("FAILED", "FAILED", why);
            OpsOutcomes.failed("dr");
            throw ApplicationFailure.newNonRetryableFailure(why, "InvalidInput");
        }
        tracker.figure("mode", request.mode().name());
        boolean started = false;
        try {
            BackupSummary backup;
            DataLoss loss;
            if (Workflow.getVersion(PRECONDITIONS_CHANGE, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
                tracker.begin("find latest backup");
                backup = activities.latestBackup(request.source());
                loss = DataLoss.unknown("the run started before documents lost were counted");
            } else {
                // nothing is started or changed before every precondition holds
                tracker.begin("check preconditions");
                backup = activities.checkPreconditions(request);
                // measured at the start (the failure, or the drill's pretend one): what the target will lack
                tracker.begin("measure data loss since " + backup.createdAt());
                loss = activities.measureDataLoss(backup.createdAt());
            }
            tracker.figure("backupId", backup.backupId());
            tracker.figure("backupCreatedAt", backup.createdAt().toString());
            tracker.figure("rpoBasis", loss.basis());
            if (loss.documents() != null) {
                tracker.figure("rpoDocuments", loss.documents());
            }
            if (loss.windowStart() != null) {
                tracker.figure("rpoWindowStart", loss.windowStart().toString());
                tracker.figure("rpoWindowEnd", loss.windowEnd().toString());
            }

            tracker.begin("start environment " + request.target());
            started = true;
            EnvironmentInfo env = activities.startEnvironment(request.target());
            if (env.taskQueue() == null || env.taskQueue().isBlank()) {
                // without its own worker the restore would land on this environment: refuse
                throw ApplicationFailure.newNonRetryableFailure("environment " + request.target()
                        + " reports no ops task queue", "InvalidEnvironment");
            }
            tracker.figure("endpoint", env.endpoint());

            tracker.begin("restore " + backup.backupId() + " into " + request.target());
            RestoreWorkflow restore = Workflow.newChildWorkflowStub(RestoreWorkflow.class,
                    ChildWorkflowOptions.newBuilder().setWorkflowId(Workflow.getInfo().getWorkflowId() + "/restore").build());
            RestoreResult restored = restore.restore(new RestoreRequest(backup.backupId(), request.source(), null,
                    env.taskQueue()));

            tracker.begin("smoke test");
            var failures = activities.smokeTest(request.target());
            if (!failures.isEmpty()) {
                throw ApplicationFailure.newNonRetryableFailure("smoke test failed: " + String.join("; ", failures),
                        "SmokeTestFailed");
            }
            String previous = null;
            if (request.mode() == DrMode.FAILOVER) {
                tracker.begin("switch traffic to " + request.target());
                previous = activities.switchTraffic(request.target());
                tracker.figure("previousEnvironment", previous);
            }
            long serving = Workflow.currentTimeMillis();
            // RPO in time: how old the restored data was when the run started (rpoDocuments counts it).
            // RTO: from that start until the target served. The one does not contain the other.
            long rpo = Math.max(0, (start - backup.createdAt().toEpochMilli()) / 1000);
            long rto = (serving - start) / 1000;
            tracker.figure("rpoSeconds", rpo);
            tracker.figure("rtoSeconds", rto);
            tracker.begin("publish RPO and RTO");
            activities.publishMetrics(request.mode(), rpo, rto, loss.documents());
            boolean tornDown = false;
            if (request.mode() == DrMode.DRILL) {
                tracker.begin("tear down " + request.target());
                activities.tearDown(request.target());
                tornDown = true;
            }
            tracker.finish("SUCCEEDED", "OK", null);
            // counted here, not with the gauges: a drill whose tear-down fails is a failed run
            OpsOutcomes.finished("dr", "completed");
            return new DrResult(request.mode(), backup.backupId(), backup.createdAt(), request.target(), rpo,
                    loss.documents(), loss.windowStart(), loss.windowEnd(), rto, previous, restored.counts(), tornDown);
        } catch (ActivityFailure | ChildWorkflowFailure | ApplicationFailure | CanceledFailure e) {
            String why = tracker.snapshot().step() + " failed: " + Failures.describe(e);
            tracker.end("FAILED", why);
            if (request.mode() == DrMode.DRILL && started) {
                // a drill must leave nothing behind; a failed failover keeps the target for the operator
                tracker.begin("tear down " + request.target());
                Workflow.newDetachedCancellationScope(() -> activities.tearDown(request.target())).run();
            }
            tracker.finish("FAILED", "OK", why);
            OpsOutcomes.failed("dr");
            // a refusal at the start keeps its own type (NotConfigured, NoBackup, ...): the operator's next step
            throw ApplicationFailure.newNonRetryableFailure(why, started ? "DisasterRecoveryFailed" : refusalType(e));
        }
    }

    private static String refusalType(Throwable e) {
        Throwable cause = e;
        while ((cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof ApplicationFailure af && af.getType() != null ? af.getType() : "DisasterRecoveryFailed";
    }

    @Override
    public OpsStatus status() {
        return tracker.snapshot();
    }
}
