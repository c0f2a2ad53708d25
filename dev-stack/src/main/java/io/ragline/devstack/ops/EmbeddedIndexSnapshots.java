package io.ragline.devstack.ops;

import io.ragline.ops.backup.IndexSnapshots;
import io.ragline.search.SearchNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The search replica's Lucene index as backups see it: a copy of a commit held by Lucene's
 * {@code SnapshotDeletionPolicy} (taken beside indexing and searches), and a restore that swaps the
 * files in while the indexer is stopped. The commit carries the indexer's Kafka offsets, so a
 * restored index resumes from its own position.
 */
public final class EmbeddedIndexSnapshots implements IndexSnapshots {
    private final SearchNode search;

    public EmbeddedIndexSnapshots(SearchNode search) {
        this.search = search;
    }

    @Override
    public Map<String, Long> snapshot(Path dir) throws IOException {
        return search.index().snapshot(dir);
    }

    @Override
    public synchronized Map<String, Long> restore(Path dir) throws IOException {
        // inside a restore ingestion is paused, and so is the indexer; alone, pause it around the swap
        boolean wasRunning = search.indexerRunning();
        search.pauseIndexer();
        try {
            return search.index().restoreFrom(dir);
        } finally {
            if (wasRunning) {
                search.resumeIndexer();
            }
        }
    }

    @Override
    public Map<String, Long> counts() {
        return search.index().counts();
    }
}
