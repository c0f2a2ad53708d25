package io.ragline.search.index;

import static io.ragline.search.index.LuceneIndexTest.chunk;
import static io.ragline.search.index.LuceneIndexTest.chunks;
import static io.ragline.search.index.LuceneIndexTest.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.EmbeddingEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md invariant 3 across a fleet: two replicas read the same two logs (the embeddings and the
 * document states) at their own pace, one of them with its chunks held back behind the states, as a
 * replica whose indexer lags would. After every record either reads, no search on either returns
 * chunks of two versions of a document, or a version it does not hold whole, and a document once
 * served stays served until its delete. Both end serving the same.
 */
class ReplicaConsistencyTest {
    private static final String TENANT = "acme";
    private static final int DOCUMENTS = 5;

    @TempDir
    Path dir;

    /** What the pipeline appended to the two logs, in order; activation follows every chunk of its version. */
    private record Logs(List<EmbeddingEvent> embeddings, List<DocumentState> states,
                        Map<String, Map<Long, Integer>> chunkCounts) {
    }

    @Test
    void noReplicaEverServesHalfAVersionWhileItsChunksLagBehindTheStates() throws Exception {
        for (int seed = 1; seed <= 20; seed++) {
            Logs logs = logs(new Random(seed));
            Path root = dir.resolve("seed-" + seed);
            try (LuceneIndex prompt = new LuceneIndex(root.resolve("a"));
                 LuceneIndex held = new LuceneIndex(root.resolve("b"))) {
                Replica a = new Replica("prompt replica, seed " + seed, prompt, logs);
                Replica b = new Replica("held-back replica, seed " + seed, held, logs);
                Random order = new Random(seed * 31L);
                while (!a.done() || !b.done()) {
                    a.step(order, 0.8); // mostly chunks first, as the replica the lifecycle waited on
                    b.step(order, 0.2); // the states run ahead of its chunks
                }
                for (int d = 0; d < DOCUMENTS; d++) {
                    assertThat(served(prompt, d)).as("seed %d, doc %d", seed, d).isEqualTo(served(held, d));
                }
                assertThat(a.servedDocuments()).as("seed %d: the run ends with something served", seed).isPositive();
            }
        }
    }

    /** One replica's read of the logs and what it may serve after each record. */
    private static final class Replica {
        private final String name;
        private final LuceneIndex index;
        private final Logs logs;
        private int nextEmbedding;
        private int nextState;
        private final Map<String, Set<Long>> activated = new HashMap<>();
        private final Set<String> deleted = new HashSet<>();
        private final Set<String> everServed = new HashSet<>();

        Replica(String name, LuceneIndex index, Logs logs) {
            this.name = name;
            this.index = index;
            this.logs = logs;
        }

        boolean done() {
            return nextEmbedding == logs.embeddings().size() && nextState == logs.states().size();
        }

        void step(Random order, double chunkShare) throws Exception {
            if (done()) {
                return;
            }
            boolean chunk = nextState == logs.states().size()
                    || (nextEmbedding < logs.embeddings().size() && order.nextDouble() < chunkShare);
            if (chunk) {
                index.upsert(logs.embeddings().get(nextEmbedding++));
            } else {
                DocumentState s = logs.states().get(nextState++);
                if (s.status() == DocumentStatus.DELETED) {
                    deleted.add(s.documentId());
                } else {
                    activated.computeIfAbsent(s.documentId(), k -> new HashSet<>()).add(s.activeVersion());
                }
                index.apply(s);
            }
            index.refresh();
            check();
        }

        private void check() throws Exception {
            for (int d = 0; d < DOCUMENTS; d++) {
                String id = "doc" + d;
                List<ChunkHit> hits = chunks(index, TENANT, id);
                Set<Long> versions = new HashSet<>();
                hits.forEach(h -> versions.add(h.version()));
                String at = name + ", " + id + ", after " + nextEmbedding + " chunks and " + nextState + " states";
                assertThat(versions).as("versions served at once, %s", at).hasSizeLessThanOrEqualTo(1);
                if (deleted.contains(id)) {
                    assertThat(hits).as("deleted, %s", at).isEmpty();
                    continue;
                }
                if (versions.isEmpty()) {
                    assertThat(everServed).as("stopped serving before a delete, %s", at).doesNotContain(id);
                    continue;
                }
                long version = versions.iterator().next();
                assertThat(activated.getOrDefault(id, Set.of())).as("served version was activated, %s", at)
                        .contains(version);
                assertThat(hits).as("every chunk of v%d, %s", version, at)
                        .hasSize(logs.chunkCounts().get(id).get(version));
                everServed.add(id);
            }
        }

        int servedDocuments() {
            return everServed.size();
        }
    }

    /**
     * Versions 1 to 3 or 4 of each document, 1 to 4 chunks each, interleaved across documents; chunks
     * of a version in any order, some delivered twice (a producer retry); the activation after the
     * version's last chunk. Some documents end deleted.
     */
    private static Logs logs(Random random) {
        List<EmbeddingEvent> embeddings = new ArrayList<>();
        List<DocumentState> states = new ArrayList<>();
        Map<String, Map<Long, Integer>> counts = new HashMap<>();
        List<List<Runnable>> perDocument = new ArrayList<>();
        for (int d = 0; d < DOCUMENTS; d++) {
            String id = "doc" + d;
            List<Runnable> steps = new ArrayList<>();
            int versions = 3 + random.nextInt(2);
            long revision = 0;
            for (long v = 1; v <= versions; v++) {
                int count = 1 + random.nextInt(4);
                counts.computeIfAbsent(id, k -> new HashMap<>()).put(v, count);
                List<Integer> seqs = new ArrayList<>();
                for (int s = 0; s < count; s++) {
                    seqs.add(s);
                }
                Collections.shuffle(seqs, random);
                if (random.nextBoolean()) {
                    seqs.add(random.nextInt(seqs.size() + 1), seqs.get(random.nextInt(count)));
                }
                long version = v;
                for (int seq : seqs) {
                    steps.add(() -> embeddings.add(chunk(TENANT, id, version, seq, count,
                            id + " version " + version + " part " + seq)));
                }
                long r = ++revision;
                steps.add(() -> states.add(state(TENANT, id, DocumentStatus.ACTIVE, version, version, count, r)));
            }
            if (random.nextInt(3) == 0) {
                long version = versions + 1;
                long r = ++revision;
                steps.add(() -> states.add(state(TENANT, id, DocumentStatus.DELETED, version, 0, 0, r)));
            }
            perDocument.add(steps);
        }
        List<Integer> open = new ArrayList<>();
        for (int d = 0; d < DOCUMENTS; d++) {
            open.add(d);
        }
        int[] next = new int[DOCUMENTS];
        while (!open.isEmpty()) {
            int pick = random.nextInt(open.size());
            int d = open.get(pick);
            perDocument.get(d).get(next[d]++).run();
            if (next[d] == perDocument.get(d).size()) {
                open.remove(pick);
            }
        }
        return new Logs(embeddings, states, counts);
    }

    private static Map<Long, Integer> served(LuceneIndex index, int d) throws Exception {
        Map<Long, Integer> byVersion = new HashMap<>();
        for (ChunkHit hit : chunks(index, TENANT, "doc" + d)) {
            byVersion.merge(hit.version(), 1, Integer::sum);
        }
        return byVersion;
    }
}
