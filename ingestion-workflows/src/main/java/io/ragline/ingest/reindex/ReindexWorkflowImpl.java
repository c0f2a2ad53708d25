package io.ragline.ingest.reindex;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.Map;

public final class ReindexWorkflowImpl implements ReindexWorkflow {
    private final ReindexSettings settings;
    private final ReindexActivities activities;
    private final ReindexActivities scans;
    private final ReindexActivities waits;
    private ReindexProgress progress;

    public ReindexWorkflowImpl(ReindexSettings settings) {
        this.settings = settings;
        RetryOptions retry = RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(1))
                .setBackoffCoefficient(2)
                .setMaximumInterval(Duration.ofMinutes(1))
                .setMaximumAttempts(10)
                .build();
        this.activities = Workflow.newActivityStub(ReindexActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setRetryOptions(retry)
                .build());
        // a scan batch reads and publishes up to batchSize chunks; heartbeats catch a dead worker early
        this.scans = Workflow.newActivityStub(ReindexActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(10))
                .setHeartbeatTimeout(Duration.ofSeconds(30))
                .setRetryOptions(retry)
                .build());
        this.waits = Workflow.newActivityStub(ReindexActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(settings.waitSlice().plusSeconds(30))
                .setHeartbeatTimeout(Duration.ofSeconds(10))
                .setRetryOptions(retry)
                .build());
    }

    @Override
    public ReindexProgress run(ReindexRequest request) {
        String owner = Workflow.getInfo().getWorkflowId();
        ReindexCheckpoint checkpoint = request.resume();
        try {
            if (checkpoint == null) {
                progress = ReindexProgress.starting(request.reason(), Workflow.currentTimeMillis());
                GenerationPlan plan = request.rebuild() ? activities.beginRebuild(owner)
                        : activities.begin(owner, request.model());
                progress = progress.began(plan.generation(), plan.model());
                checkpoint = new ReindexCheckpoint(progress, Map.of(), plan.scanEnd());
            } else {
                progress = checkpoint.progress().nextRun();
            }
            if (request.rebuild()) {
                progress = progress.inPhase(ReindexPhase.REBUILDING, null); // the log is the source: no scan
            } else {
                scan(request, checkpoint);
            }
            awaitFilled(owner, request);
            progress = progress.inPhase(ReindexPhase.SWITCHING, null);
            activities.switchTo(owner, progress.generation());
            awaitServing();
            progress = progress.inPhase(ReindexPhase.DONE, null);
            return progress;
        } catch (ActivityFailure e) {
            progress = progress == null ? null : progress.inPhase(ReindexPhase.FAILED, message(e));
            throw e;
        }
    }

    private void scan(ReindexRequest request, ReindexCheckpoint checkpoint) {
        Map<String, Long> cursor = checkpoint.cursor();
        int batches = 0;
        while (progress.phase() == ReindexPhase.SCANNING) {
            if (batches == settings.batchesPerRun()) {
                // the history of a run stays small however many chunks there are
                Workflow.continueAsNew(request.resumingFrom(new ReindexCheckpoint(progress, cursor, checkpoint.scanEnd())));
            }
            ScanBatch batch = scans.republish(progress.generation(), cursor, checkpoint.scanEnd(),
                    request.batchSizeOr(settings.batchSize()));
            cursor = batch.cursor();
            progress = progress.scanned(batch.scanned(), batch.republished(), batch.done());
            batches++;
        }
    }

    /** Until the new generation holds every active chunk; past the deadline it is dropped and the re-index fails. */
    private void awaitFilled(String owner, ReindexRequest request) {
        long deadline = Workflow.currentTimeMillis() + request.timeoutMillisOr(settings.fillTimeout());
        while (true) {
            long slice = Math.max(1, Math.min(settings.waitSlice().toMillis(), deadline - Workflow.currentTimeMillis()));
            GenerationCheck check = waits.awaitFilled(progress.generation(), slice);
            progress = progress.checked(check.indexed(), check.expected());
            if (check.filled()) {
                return;
            }
            if (Workflow.currentTimeMillis() >= deadline) {
                String reason = "generation " + progress.generation() + " holds only " + check.indexed() + " of "
                        + check.expected() + " active chunks after " + Duration.ofMillis(request.timeoutMillisOr(
                        settings.fillTimeout())) + "; it was dropped and generation serving before still serves";
                activities.abandon(owner, progress.generation());
                progress = progress.inPhase(ReindexPhase.FAILED, reason);
                throw ApplicationFailure.newNonRetryableFailure(reason, "ReindexTimeout");
            }
            Workflow.sleep(settings.pause());
        }
    }

    private void awaitServing() {
        long deadline = Workflow.currentTimeMillis() + settings.switchTimeout().toMillis();
        while (!waits.awaitServing(progress.generation(), settings.waitSlice().toMillis())) {
            if (Workflow.currentTimeMillis() >= deadline) {
                String reason = "the search replica did not switch to generation " + progress.generation() + " within "
                        + settings.switchTimeout() + " (it is the serving one on ragline.index-generations: restart the replica)";
                progress = progress.inPhase(ReindexPhase.FAILED, reason);
                throw ApplicationFailure.newNonRetryableFailure(reason, "ReindexSwitchTimeout");
            }
            Workflow.sleep(settings.pause());
        }
    }

    private static String message(TemporalFailure e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof TemporalFailure tf ? tf.getOriginalMessage() : t.getMessage();
    }

    @Override
    public ReindexProgress progress() {
        return progress;
    }
}
