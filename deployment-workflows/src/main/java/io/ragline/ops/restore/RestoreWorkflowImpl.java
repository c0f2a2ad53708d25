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
        List<BackupScope> scope = new ArrayList<>();
        for (BackupScope s : manifest.scope()) {
            boolean wanted = request.scope() == null || request.scope().isEmpty()
                    ? s != BackupScope.KUBERNETES_CONFIG : request.scope().contains(s);
            if (wanted && s != BackupScope.KUBERNETES_CONFIG) {
                scope.add(s);
            } else if (wanted) {
                tracker.skip("restore Kubernetes config", "apply kubernetes/<namespace>.yaml with kubectl");
            }
        }
        tracker.figure("scope", scope.toString());

        Saga saga = new Saga(new Saga.Options.Builder().setContinueWithError(true).build());
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
            VerifyReport report = activities.verifyRestore(request.target(), manifest, scope);
            tracker.figure("verified", report.counts());
            tracker.figure("probesChecked", report.probesChecked());
            if (!report.mismatches().isEmpty()) {
                throw ApplicationFailure.newNonRetryableFailure("verification failed: "
                        + String.join("; ", report.mismatches()), "VerificationFailed");
            }
            tracker.begin("resume ingestion");
            activities.resumeIngestion();
            tracker.finish("SUCCEEDED", "OK", null);
            OpsOutcomes.finished("restore", "completed");
            return new RestoreResult(manifest.backupId(), manifest.createdAt(), scope, report.counts(),
                    report.probesChecked());
        } catch (ActivityFailure | ApplicationFailure | CanceledFailure e) {
            String why = tracker.snapshot().step() + " failed: " + Failures.describe(e);
            tracker.end("FAILED", why);
            tracker.begin("compensate: resume ingestion");
            Workflow.newDetachedCancellationScope(saga::compensate).run();
            tracker.finish("FAILED", "OK", why);
            OpsOutcomes.failed("restore");
            throw ApplicationFailure.newNonRetryableFailure(why, "RestoreFailed");
        }
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
