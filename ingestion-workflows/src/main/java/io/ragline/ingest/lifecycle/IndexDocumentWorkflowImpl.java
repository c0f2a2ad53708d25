package io.ragline.ingest.lifecycle;

import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.LifecycleEvent;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

public final class IndexDocumentWorkflowImpl implements IndexDocumentWorkflow {
    private final LifecycleSettings settings;
    private final DocumentLifecycleActivities activities;
    private final DocumentLifecycleActivities waits;
    private LifecycleProgress progress;

    public IndexDocumentWorkflowImpl(LifecycleSettings settings) {
        this.settings = settings;
        RetryOptions retry = RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofMillis(500))
                .setBackoffCoefficient(2)
                .setMaximumInterval(Duration.ofSeconds(30))
                .build();
        this.activities = Workflow.newActivityStub(DocumentLifecycleActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(retry)
                .build());
        // waiting activities poll for a slice and report back, so heartbeats catch a dead worker
        this.waits = Workflow.newActivityStub(DocumentLifecycleActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(settings.waitSlice().plusSeconds(30))
                .setHeartbeatTimeout(Duration.ofSeconds(10))
                .setRetryOptions(retry)
                .build());
    }

    @Override
    public LifecycleProgress run(LifecycleEvent e) {
        progress = new LifecycleProgress(e.documentKey(), e.version(), DocumentStatus.ACCEPTED, e.chunkCount(), 0,
                false, null);
        if (e.op() == LifecycleEvent.LifecycleOp.DELETE) {
            return delete(e);
        }
        activities.recordChunked(e);
        update(DocumentStatus.CHUNKED, 0, null);

        long deadline = Workflow.currentTimeMillis() + settings.indexTimeout().toMillis();
        long indexed = 0;
        int redrives = 0;
        while (indexed < e.chunkCount()) {
            if (Workflow.currentTimeMillis() >= deadline && redrives < settings.maxRedrives()) {
                redrives++;
                int found = activities.redriveChunks(e.tenant(), e.documentId(), e.version(), e.acceptedAtMillis());
                update(DocumentStatus.CHUNKED, indexed, "re-drove " + found + " chunks (" + redrives + " of "
                        + settings.maxRedrives() + ")");
                deadline = Workflow.currentTimeMillis() + settings.indexTimeout().toMillis();
            }
            if (Workflow.currentTimeMillis() >= deadline) {
                String reason = "only " + indexed + " of " + e.chunkCount() + " chunks were indexed within "
                        + settings.indexTimeout() + " after " + redrives + " re-drive(s)";
                DocumentState failed = activities.markFailed(e.tenant(), e.documentId(), e.version(), reason);
                boolean superseded = failed == null || failed.version() != e.version()
                        || failed.status() != DocumentStatus.FAILED;
                return finish(superseded ? DocumentStatus.CHUNKED : DocumentStatus.FAILED, indexed, superseded,
                        superseded ? "superseded by a newer version or a delete" : reason);
            }
            long slice = Math.min(settings.waitSlice().toMillis(), deadline - Workflow.currentTimeMillis());
            indexed = waits.waitForIndexedChunks(e.tenant(), e.documentId(), e.version(), e.chunkCount(), slice);
            if (indexed == DocumentLifecycleActivities.SUPERSEDED) {
                return finish(DocumentStatus.CHUNKED, 0, true, "superseded by a newer version or a delete");
            }
            update(DocumentStatus.CHUNKED, indexed, progress.reason());
            if (indexed < e.chunkCount()) {
                // a durable timer between waits: the deadline is workflow time, which survives restarts
                Workflow.sleep(settings.pause());
            }
        }
        update(DocumentStatus.EMBEDDED, indexed, null);

        DocumentState state = activities.activate(e.tenant(), e.documentId(), e.version(), e.chunkCount());
        if (state == null || state.activeVersion() != e.version()) {
            return finish(DocumentStatus.EMBEDDED, indexed, true, "superseded by a newer version or a delete");
        }
        awaitRevision(e, state.revision());
        activities.confirmActive(e.tenant(), e.documentId(), e.version());
        return finish(DocumentStatus.ACTIVE, indexed, false, null);
    }

    private LifecycleProgress delete(LifecycleEvent e) {
        DocumentState state = activities.markDeleted(e.tenant(), e.documentId(), e.version());
        if (state == null || state.version() != e.version() || state.status() != DocumentStatus.DELETED) {
            return finish(DocumentStatus.DELETED, 0, true, "superseded by a newer version");
        }
        awaitRevision(e, state.revision());
        return finish(DocumentStatus.DELETED, 0, false, null);
    }

    private void awaitRevision(LifecycleEvent e, long revision) {
        while (!waits.waitForIndexRevision(e.tenant(), e.documentId(), revision, settings.waitSlice().toMillis())) {
            // the decision is durable in the log; keep waiting for the index to apply it
        }
    }

    private void update(DocumentStatus status, long indexed, String reason) {
        progress = new LifecycleProgress(progress.documentKey(), progress.version(), status, progress.chunkCount(),
                indexed, false, reason);
    }

    private LifecycleProgress finish(DocumentStatus status, long indexed, boolean superseded, String reason) {
        progress = new LifecycleProgress(progress.documentKey(), progress.version(), status, progress.chunkCount(),
                indexed, superseded, reason);
        return progress;
    }

    @Override
    public LifecycleProgress status() {
        return progress;
    }
}
