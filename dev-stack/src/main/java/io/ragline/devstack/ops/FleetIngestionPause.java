package io.ragline.devstack.ops;

import io.ragline.core.store.IngestionPause;
import io.ragline.ops.restore.IngestionControl;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingestion control of the distributed form, where the ops worker cannot stop other processes: the
 * pause is held in PostgreSQL ({@link IngestionPause}) and every metadata write of every workflows
 * replica obeys it, however many there are. The ingest topology, the embedders and the indexers go
 * on (they write only the logs and the replicas' indexes, which a restore does not replace but
 * rebuilds from the logs), so their consumer groups keep their members and offsets. Resuming first
 * republishes the restored document states ({@link StateReconciler}), then lifts the pause.
 */
public final class FleetIngestionPause implements IngestionControl {
    private static final Logger log = LoggerFactory.getLogger(FleetIngestionPause.class);

    private final IngestionPause pause;
    private final StateReconciler reconciler;
    private final String owner;

    /** @param owner who pauses, for the operator reading {@code ingestion_pause} (the worker's identity) */
    public FleetIngestionPause(DataSource metadata, String bootstrapServers, String owner) {
        this(metadata, new StateReconciler(bootstrapServers, metadata), owner);
    }

    private FleetIngestionPause(DataSource metadata, StateReconciler reconciler, String owner) {
        this.pause = new IngestionPause(metadata);
        this.reconciler = reconciler;
        this.owner = owner;
    }

    /**
     * The pause of a standby that reads the primary's (mirrored) logs: resuming lifts the pause and
     * republishes nothing, since the document states on those logs are the primary's, not the standby's.
     */
    public static FleetIngestionPause withoutRepublishing(DataSource metadata, String owner) {
        return new FleetIngestionPause(metadata, (StateReconciler) null, owner);
    }

    @Override
    public void pause(String reason) {
        pause.pause(owner, reason);
        log.info("ingestion paused (every metadata writer holds): {}", reason);
    }

    @Override
    public void resume() {
        if (pause.pausedBecause().isEmpty()) {
            return;
        }
        if (reconciler != null) {
            // while still paused: nothing else publishes a document state meanwhile
            reconciler.reconcile();
        }
        pause.resume();
        log.info("ingestion resumed");
    }

    @Override
    public boolean paused() {
        return pause.pausedBecause().isPresent();
    }

    @Override
    public boolean emptiesConsumerGroups() {
        return false;
    }
}
