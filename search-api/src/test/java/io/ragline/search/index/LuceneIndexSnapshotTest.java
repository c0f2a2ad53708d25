package io.ragline.search.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.EmbeddingEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backup and restore of the index: a snapshot beside writes, a restore that swaps it in while searches go on. */
class LuceneIndexSnapshotTest {
    private static final int DIM = 8;

    @TempDir
    Path dir;

    @Test
    void aRestoredSnapshotServesWhatTheIndexServedAndResumesFromItsOffsets() throws Exception {
        Path live = dir.resolve("live");
        Path copy = dir.resolve("copy");
        try (LuceneIndex index = new LuceneIndex(live)) {
            index.upsert(chunk("acme", "a", 1, 0, "granite quarry"));
            index.upsert(chunk("acme", "a", 1, 1, "granite quarry, page two"));
            index.apply(state("acme", "a", DocumentStatus.ACTIVE, 1, 1, 1));
            index.commit(Map.of("ragline.embeddings-0", 3L));
            // written after the last commit: the snapshot commits it, with the offsets of that commit
            index.upsert(chunk("acme", "b", 1, 0, "basalt column"));
            index.apply(state("acme", "b", DocumentStatus.ACTIVE, 1, 1, 1));
            index.refresh();

            Map<String, Long> counts = index.snapshot(copy);
            assertThat(counts).containsEntry("documents", 2L).containsEntry("chunks", 3L);
            assertThat(index.counts()).isEqualTo(counts);

            // changes after the snapshot: a delete, a new document
            index.apply(state("acme", "a", DocumentStatus.DELETED, 2, 0, 2));
            index.upsert(chunk("acme", "c", 1, 0, "cobalt mine"));
            index.apply(state("acme", "c", DocumentStatus.ACTIVE, 1, 1, 1));
            index.commit(Map.of("ragline.embeddings-0", 9L));
            index.refresh();
            assertThat(keyword(index, "granite")).isEmpty();

            assertThat(index.restoreFrom(copy)).isEqualTo(counts);
            assertThat(keyword(index, "granite")).extracting(ChunkHit::documentId).containsExactly("a");
            assertThat(keyword(index, "cobalt")).isEmpty();
            assertThat(index.committedOffsets()).containsExactly(Map.entry("ragline.embeddings-0", 3L));
            // the replica forgot which versions it served: its indexer rebuilds that from the log
            assertThat(index.appliedRevision("acme", "a")).isZero();

            // idempotent, and the restored index takes writes again
            assertThat(index.restoreFrom(copy)).isEqualTo(counts);
            index.upsert(chunk("acme", "c", 1, 0, "cobalt mine"));
            index.apply(state("acme", "c", DocumentStatus.ACTIVE, 1, 1, 1));
            index.commit(Map.of("ragline.embeddings-0", 4L));
            index.refresh();
            assertThat(keyword(index, "cobalt")).extracting(ChunkHit::documentId).containsExactly("c");
            assertThat(index.snapshot(dir.resolve("second"))).containsEntry("documents", 3L);
        }
        // the restored commit is durable: a reopened index has it
        try (LuceneIndex reopened = new LuceneIndex(live)) {
            assertThat(reopened.committedOffsets()).containsExactly(Map.entry("ragline.embeddings-0", 4L));
            assertThat(reopened.counts()).containsEntry("documents", 3L);
        }
    }

    @Test
    void anEmptyIndexCanBeSnapshottedAndADirectoryWithoutACommitIsRefused() throws Exception {
        try (LuceneIndex index = new LuceneIndex(dir.resolve("live"))) {
            assertThat(index.snapshot(dir.resolve("copy"))).containsEntry("documents", 0L).containsEntry("chunks", 0L);
            assertThat(index.restoreFrom(dir.resolve("copy"))).containsEntry("chunks", 0L);
            Files.createDirectories(dir.resolve("empty"));
            assertThatThrownBy(() -> index.restoreFrom(dir.resolve("empty"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("no Lucene index commit");
            index.upsert(chunk("acme", "a", 1, 0, "still writable"));
            index.apply(state("acme", "a", DocumentStatus.ACTIVE, 1, 1, 1));
            index.refresh();
            assertThat(keyword(index, "writable")).hasSize(1);
        }
    }

    private static List<ChunkHit> keyword(LuceneIndex index, String text) throws Exception {
        return index.search("acme", text, null, SearchMode.KEYWORD, 10);
    }

    private static EmbeddingEvent chunk(String tenant, String id, long version, int seq, String text) {
        ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, tenant, id, version,
                ChunkEvent.chunkId(tenant, id, version, seq), seq, 2, "Title", text, "src", "en", Map.of());
        float[] v = new float[DIM];
        v[seq % DIM] = 1;
        return EmbeddingEvent.of(chunk, "test", v, false);
    }

    private static DocumentState state(String tenant, String id, DocumentStatus status, long version, long active,
                                       long revision) {
        return new DocumentState(DocumentState.SCHEMA, tenant, id, status, version, active, 1, revision, null, 0);
    }
}
