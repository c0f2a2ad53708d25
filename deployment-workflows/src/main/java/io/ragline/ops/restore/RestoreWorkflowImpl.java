package io.ragline.ops.restore;

import io.ragline.ops.Failures;
import io.ragline.ops.OpsOutcomes;
import io.ragline.ops.OpsStatus;
import io.ragline.ops.StepTracker;
import io.ragline.ops.backup.BackupManifest;
import io.ragline.ops.backup.BackupScope;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.ChildWorkflowStub;
import io.temporal.workflow.Saga;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class RestoreWorkflowImpl implements RestoreWorkflow {
    private final StepTracker tracker = new StepTracker("restore", Workflow::currentTimeMillis);

    @Override
    public RestoreResult restore(RestoreRequest request) {
        tracker.begin("validate");
        if (request.target() == null || request.target().isBlank()) {
            tracker.finish("FAILED", "FAILED", "'target' is required");
            OpsOutcomes.failed("restore");
            throw ApplicationFailure.newNonRetryableFailure("'target' is required (file:///path or s3://bucket/prefix)",
                    "InvalidInput");
        }
        RetryOptions retry = RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(2))
                .setBackoffCoefficient(2)
                .setMaximumInterval(Duration.ofMinutes(1))
                .setMaximumAttempts(5)
                .build();
        ActivityOptions.Builder options = ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofHours(1))
                .setHeartbeatTimeout(Duration.ofMinutes(2))
                .setRetryOptions(retry);
        if (request.taskQueue() != null && !request.taskQueue().isBlank()) {
            options.setTaskQueue(request.taskQueue());
            tracker.figure("taskQueue", request.taskQueue());
        }
        RestoreActivities activities = Workflow.newActivityStub(RestoreActivities.class, options.build());
        // resuming ingestion is the one thing that must happen: retry it far longer than the rest
        RestoreActivities compensation = Workflow.newActivityStub(RestoreActivities.class, options
                .setStartToCloseTimeout(Duration.ofMinutes(2))
                .setScheduleToCloseTimeout(Duration.ofHours(6))
                .setRetryOptions(RetryOptions.newBuilder(retry).setMaximumAttempts(0).build())
                .build());

        tracker.begin("verify checksums");
        BackupManifest manifest;
        try {
            manifest = activities.verifyBackup(request.target(), request.backupId());
        } catch (ActivityFailure e) {
            String why = "backup verification failed: " + Failures.describe(e);
            tracker.finish("FAILED", "FAILED", why);
            OpsOutcomes.failed("restore");
            throw ApplicationFailure.newNonRetryableFailure(why, "RestoreFailed");
        }
        tracker.figure("backupId", manifest.backupId());
        tracker.figure("backupCreatedAt", manifest.createdAt().toString());
        tracker.begin("plan");
        RestorePlan plan;
        try {
            plan = activities.plan(manifest, request.scope());
        } catch (ActivityFailure e) {
            // before anything changed: the run ends with the plan's own type (NotConfigured, ...)
            String why = "nothing was changed: " + Failures.describe(e);
            tracker.finish("FAILED", "FAILED", why);
            OpsOutcomes.failed("restore");
            throw ApplicationFailure.newNonRetryableFailure(why, typeOf(e));
        }
        List<BackupScope> scope = new ArrayList<>(plan.scope());
        tracker.figure("scope", scope.toString());
        plan.skipped().forEach((part, why) -> tracker.skip("restore " + part, why));
        if (plan.rebuild() != null) {
            tracker.figure("index", "rebuilt from the logs by " + plan.rebuild().workflowType());
        }

        Saga saga = new Saga(new Saga.Options.Builder().setContinueWithError(true).build());
        VerifyReport report;
        try {
            tracker.begin("pause ingestion");
            // registered before the call: a pause that half-happened must be undone too
            saga.addCompensation(compensation::resumeIngestion);
            activities.pauseIngestion("restore of backup " + manifest.backupId());
            Map<String, Long> restored = new LinkedHashMap<>();
            for (BackupScope s : scope) {
                switch (s) {
                    case METADATA -> {
                        tracker.begin("restore metadata");
                        restored.putAll(prefix("metadata.", activities.restoreMetadata(request.target(), manifest)));
                    }
                    case INDEX -> {
                        tracker.begin("restore index");
                        restored.putAll(prefix("index.", activities.restoreIndex(request.target(), manifest)));
                    }
                    case KAFKA_OFFSETS -> {
                        tracker.begin("restore Kafka offsets and topic configs");
                        restored.putAll(prefix("kafka.", activities.restoreKafka(request.target(), manifest)));
                    }
                    default -> {
                    }
                }
                tracker.figure("restored", new LinkedHashMap<>(restored));
            }
            tracker.begin("verify");
            report = activities.verifyRestore(request.target(), manifest, scope);
            tracker.figure("verified", report.counts());
            tracker.figure("probesChecked", report.probesChecked());
            if (!report.mismatches().isEmpty()) {
                throw ApplicationFailure.newNonRetryableFailure("verification failed: "
                        + String.join("; ", report.mismatches()), "VerificationFailed");
            }
            tracker.begin("resume ingestion");
            activities.resumeIngestion();
        } catch (ActivityFailure | ApplicationFailure | CanceledFailure e) {
            String why = tracker.snapshot().step() + " failed: " + Failures.describe(e);
            tracker.end("FAILED", why);
            tracker.begin("compensate: resume ingestion");
            Workflow.newDetachedCancellationScope(saga::compensate).run();
            tracker.finish("FAILED", "OK", why);
            OpsOutcomes.failed("restore");
            throw ApplicationFailure.newNonRetryableFailure(why, "RestoreFailed");
        }
        if (plan.rebuild() != null) {
            rebuildIndex(plan.rebuild(), manifest);
        }
        tracker.finish("SUCCEEDED", "OK", null);
        OpsOutcomes.finished("restore", "completed");
        return new RestoreResult(manifest.backupId(), manifest.createdAt(), scope, report.counts(),
                report.probesChecked());
    }

    /**
     * After ingestion resumed (a rebuild of a large index takes long; the serving generation keeps
     * answering meanwhile): every replica builds a generation from the logs, which now carry the
     * restored document states, and switches to it.
     */
    private void rebuildIndex(IndexRebuild rebuild, BackupManifest manifest) {
        tracker.begin("rebuild index from the logs");
        ChildWorkflowStub child = Workflow.newUntypedChildWorkflowStub(rebuild.workflowType(),
                ChildWorkflowOptions.newBuilder()
                        .setWorkflowId(Workflow.getInfo().getWorkflowId() + "-rebuild")
                        .setTaskQueue(rebuild.taskQueue())
                        .build());
        try {
            Map<?, ?> progress = child.execute(Map.class, Map.of("reason", "restore of backup " + manifest.backupId(),
                    "fromLog", true));
            tracker.figure("indexGeneration", progress.get("generation"));
            tracker.figure("indexChunks", progress.get("chunksIndexed"));
        } catch (ChildWorkflowFailure | CanceledFailure e) {
            String why = "the metadata was restored and ingestion resumed, but the index rebuild failed: "
                    + Failures.describe(e) + "; start " + rebuild.workflowType() + " with {\"fromLog\": true} again";
            tracker.finish("FAILED", "FAILED", why);
            OpsOutcomes.failed("restore");
            throw ApplicationFailure.newNonRetryableFailure(why, "RestoreFailed");
        }
    }

    private static String typeOf(ActivityFailure e) {
        return e.getCause() instanceof ApplicationFailure af && af.getType() != null ? af.getType() : "RestoreFailed";
    }

    private static Map<String, Long> prefix(String prefix, Map<String, Long> counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }

    @Override
    public OpsStatus status() {
        return tracker.snapshot();
    }
}
