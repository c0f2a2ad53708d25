package io.ragline.ingest.reindex;

import io.ragline.core.event.IndexGenerations;
import io.ragline.core.generation.GenerationLog;
import io.ragline.core.generation.GenerationProbe;
import io.ragline.core.generation.GenerationStatus;
import io.ragline.core.store.MetadataStore;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

public final class ReindexActivitiesImpl implements ReindexActivities {
    private static final Duration POLL = Duration.ofMillis(500);

    private final GenerationLog log;
    private final ChunkRepublisher republisher;
    private final MetadataStore metadata;
    private final GenerationProbe replica;

    public ReindexActivitiesImpl(GenerationLog log, ChunkRepublisher republisher, MetadataStore metadata,
                                 GenerationProbe replica) {
        this.log = log;
        this.republisher = republisher;
        this.metadata = metadata;
        this.replica = replica;
    }

    @Override
    public GenerationPlan begin(String owner, String model) {
        return allocate(owner, model, false);
    }

    @Override
    public GenerationPlan beginRebuild(String owner) {
        return allocate(owner, null, true);
    }

    private GenerationPlan allocate(String owner, String model, boolean fromLogStart) {
        IndexGenerations current = log.current();
        if (current.building() != null) {
            if (owner.equals(current.reindexId())) {
                return new GenerationPlan(current.building(), current.buildingModel(), current.buildingStartOffsets());
            }
            throw ApplicationFailure.newNonRetryableFailure("re-index " + current.reindexId() + " is building generation "
                    + current.building() + "; wait for it or terminate it first", "ReindexInProgress");
        }
        long generation = Math.max(current.lastGeneration(), current.serving()) + 1;
        // no start offsets: the generation's indexer reads every partition from its beginning
        Map<String, Long> start = fromLogStart ? Map.of() : republisher.endOffsets();
        log.publish(current.startBuilding(generation, model, start, owner, System.currentTimeMillis()));
        return new GenerationPlan(generation, model, start);
    }

    @Override
    public ScanBatch republish(long generation, Map<String, Long> cursor, Map<String, Long> scanEnd, int batchSize) {
        var context = Activity.getExecutionContext();
        return republisher.republish(cursor, scanEnd, batchSize, () -> context.heartbeat(generation));
    }

    @Override
    public GenerationCheck awaitFilled(long generation, long waitMillis) {
        long deadline = System.nanoTime() + Duration.ofMillis(waitMillis).toNanos();
        while (true) {
            GenerationStatus status = replica.generations();
            long indexed = Objects.equals(status.building(), generation) ? status.buildingActiveChunks()
                    : status.serving() == generation ? status.servingActiveChunks() : 0;
            long expected = metadata.activeChunkTotal();
            boolean filled = Objects.equals(status.building(), generation) && indexed >= expected;
            if (filled || System.nanoTime() >= deadline) {
                return new GenerationCheck(indexed, expected, filled);
            }
            pause();
        }
    }

    @Override
    public void switchTo(String owner, long generation) {
        IndexGenerations current = log.current();
        if (current.serving() == generation) {
            return; // switched already (a retry)
        }
        if (!Objects.equals(current.building(), generation) || !owner.equals(current.reindexId())) {
            throw ApplicationFailure.newNonRetryableFailure("generation " + generation + " is no longer being built by "
                    + owner + " (now: " + current + ")", "ReindexSuperseded");
        }
        log.publish(current.switched(System.currentTimeMillis()));
    }

    @Override
    public boolean awaitServing(long generation, long waitMillis) {
        long deadline = System.nanoTime() + Duration.ofMillis(waitMillis).toNanos();
        while (replica.generations().serving() != generation) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            pause();
        }
        return true;
    }

    @Override
    public void abandon(String owner, long generation) {
        IndexGenerations current = log.current();
        if (Objects.equals(current.building(), generation) && owner.equals(current.reindexId())) {
            log.publish(current.abandoned(System.currentTimeMillis()));
        }
    }

    /** Polls the replica; the heartbeat between polls lets Temporal notice a dead worker. */
    private static void pause() {
        Activity.getExecutionContext().heartbeat(null);
        try {
            Thread.sleep(POLL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the index generation", e);
        }
    }
}
