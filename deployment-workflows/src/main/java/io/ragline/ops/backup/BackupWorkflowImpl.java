package io.ragline.ops.backup;

import io.ragline.ops.Failures;
import io.ragline.ops.OpsOutcomes;
import io.ragline.ops.OpsStatus;
import io.ragline.ops.StepTracker;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

public final class BackupWorkflowImpl implements BackupWorkflow {
    private final BackupSettings settings;
    private final StepTracker tracker = new StepTracker("backup", Workflow::currentTimeMillis);
    private final BackupActivities dumps;
    private final BackupActivities quick;

    public BackupWorkflowImpl(BackupSettings settings) {
        this.settings = settings;
        RetryOptions retry = RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(2))
                .setBackoffCoefficient(2)
                .setMaximumInterval(Duration.ofMinutes(1))
                .setMaximumAttempts(5)
                .build();
        // dumps of a big index take a while; heartbeats tell a slow dump from a dead worker
        this.dumps = Workflow.newActivityStub(BackupActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofHours(1))
                .setHeartbeatTimeout(Duration.ofMinutes(2))
                .setRetryOptions(retry)
                .build());
        this.quick = Workflow.newActivityStub(BackupActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(5))
                .setRetryOptions(retry)
                .build());
    }

    @Override
    public BackupResult backup(BackupRequest input) {
        tracker.begin("validate");
        BackupRequest request;
        try {
            request = input.withDefaults(settings);
        } catch (IllegalArgumentException e) {
            tracker.finish("FAILED", "FAILED", e.getMessage());
            OpsOutcomes.failed("backup");
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "InvalidInput");
        }
        long now = Workflow.currentTimeMillis();
        String id = BackupIds.newId(now, Workflow.randomUUID());
        tracker.figure("backupId", id);
        tracker.figure("target", request.target());
        try {
            List<Artifact> artifacts = new ArrayList<>();
            List<ProbeRecord> probes = List.of();
            String schemaVersion = null;
            // fixed order: metadata first, so that the index is at least as new as the metadata it serves
            for (BackupScope scope : BackupScope.values()) {
                if (!request.scope().contains(scope)) {
                    continue;
                }
                switch (scope) {
                    case METADATA -> {
                        tracker.begin("dump metadata");
                        MetadataBackup m = dumps.dumpMetadata(request.target(), id);
                        artifacts.addAll(m.artifacts());
                        schemaVersion = m.schemaVersion();
                        tracker.figure("metadataTables", m.artifacts().size() - 1);
                    }
                    case INDEX -> {
                        tracker.begin("snapshot index");
                        IndexBackup index = dumps.snapshotIndex(request.target(), id, request.probes());
                        artifacts.addAll(index.artifacts());
                        probes = index.probes();
                        tracker.figure("probesRecorded", probes.size());
                    }
                    case KAFKA_OFFSETS -> {
                        tracker.begin("export Kafka offsets and topic configs");
                        artifacts.addAll(dumps.exportKafka(request.target(), id));
                    }
                    case KUBERNETES_CONFIG -> {
                        tracker.begin("export Kubernetes config of " + request.namespace());
                        artifacts.addAll(dumps.exportKubernetes(request.target(), id, request.namespace()));
                    }
                }
                tracker.figure("artifacts", artifacts.size());
            }
            long total = artifacts.stream().mapToLong(Artifact::bytes).sum();
            tracker.figure("bytes", total);
            tracker.begin("write manifest");
            BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, id, Instant.ofEpochMilli(now),
                    request.scope(), schemaVersion, artifacts, probes, total);
            quick.writeManifest(request.target(), manifest);
            tracker.begin("retention clean-up (" + request.retentionDays() + " days)");
            List<String> deleted = quick.cleanUp(request.target(), request.retentionDays(),
                    Workflow.currentTimeMillis());
            tracker.figure("deleted", deleted.size());
            tracker.finish("SUCCEEDED", "OK", null);
            return new BackupResult(id, request.target(), manifest.createdAt(), artifacts.size(), total, deleted);
        } catch (ActivityFailure e) {
            // no manifest was written: the partial backup is never restored, and retention removes it
            String why = tracker.snapshot().step() + " failed: " + Failures.describe(e);
            tracker.finish("FAILED", "FAILED", why);
            OpsOutcomes.failed("backup");
            throw ApplicationFailure.newNonRetryableFailure(why, "BackupFailed");
        }
    }

    @Override
    public OpsStatus status() {
        return tracker.snapshot();
    }
}
