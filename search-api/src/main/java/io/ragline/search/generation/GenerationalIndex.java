package io.ragline.search.generation;

import io.micrometer.core.instrument.MeterRegistry;
import io.ragline.core.Topics;
import io.ragline.core.event.IndexGenerations;
import io.ragline.core.generation.GenerationLog;
import io.ragline.core.generation.GenerationProbe;
import io.ragline.core.generation.GenerationStatus;
import io.ragline.core.runtime.Resources;
import io.ragline.search.index.Indexer;
import io.ragline.search.index.LuceneIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's index generations: the serving {@link LuceneIndex} (one object for the replica's
 * life, so search, lifecycle probes and backups never notice a switch) and at most one building
 * generation with its own indexer, which starts reading {@code ragline.embeddings} where the
 * re-index began and so holds only what was embedded since. Follows {@code ragline.index-generations}:
 * opens the building generation, switches searches to it atomically ({@link LuceneIndex#takeOver})
 * and deletes the old one, or drops an abandoned one.
 */
public final class GenerationalIndex implements GenerationProbe, Resources.Loop {
    private static final Logger log = LoggerFactory.getLogger(GenerationalIndex.class);

    /** Stops and starts the serving generation's indexer around a switch. */
    public interface ServingIndexer {
        void pause();

        void resume();
    }

    private record Building(long generation, LuceneIndex index, Indexer indexer, Thread thread) {
    }

    private final String bootstrapServers;
    private final GenerationDirs dirs;
    private final LuceneIndex serving;
    private final LuceneIndex.VectorFormat format;
    private final int dimension;
    private final MeterRegistry registry;
    private final ServingIndexer servingIndexer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private long servingGeneration;
    private Building building;

    /**
     * @param servingGeneration the generation {@code serving} holds (see {@link #open})
     * @param dimension         the vector dimension of the replica's query model
     */
    public GenerationalIndex(String bootstrapServers, GenerationDirs dirs, long servingGeneration, LuceneIndex serving,
                             LuceneIndex.VectorFormat format, int dimension, MeterRegistry registry,
                             ServingIndexer servingIndexer) {
        this.bootstrapServers = bootstrapServers;
        this.dirs = dirs;
        this.servingGeneration = servingGeneration;
        this.serving = serving;
        this.format = format;
        this.dimension = dimension;
        this.registry = registry;
        this.servingIndexer = servingIndexer;
        this.consumer = GenerationLog.consumer(bootstrapServers, "ragline-generations-follower");
    }

    /**
     * At a replica's start: which generation serves (1 when none was ever switched), after
     * deleting directories of generations that neither serve nor build.
     */
    public static IndexGenerations open(String bootstrapServers, GenerationDirs dirs) {
        IndexGenerations current = GenerationLog.readLatest(bootstrapServers).orElse(IndexGenerations.initial());
        java.util.Set<Long> keep = new java.util.HashSet<>(List.of(current.serving()));
        if (current.building() != null) {
            keep.add(current.building());
        }
        dirs.deleteAllBut(keep);
        return current;
    }

    @Override
    public synchronized GenerationStatus generations() {
        Building b = building;
        return new GenerationStatus(servingGeneration, serving.activeChunks(), b == null ? null : b.generation(),
                b == null ? 0 : b.index().activeChunks());
    }

    @Override
    public void run() {
        try {
            List<TopicPartition> partitions = awaitPartitions();
            if (partitions == null) {
                return;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // the backlog: only its latest snapshot matters (one key, compacted)
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            IndexGenerations latest = null;
            while (running.get() && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    IndexGenerations g = GenerationLog.parse(r);
                    latest = g != null ? g : latest;
                }
            }
            if (latest != null) {
                apply(latest);
            }
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    IndexGenerations g = GenerationLog.parse(r);
                    if (g != null) {
                        apply(g);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
            stopped.countDown();
        }
    }

    /** The topic's partitions once it exists (a distributed replica may start before topics are created); null when closed. */
    private List<TopicPartition> awaitPartitions() {
        while (running.get()) {
            var infos = consumer.partitionsFor(Topics.INDEX_GENERATIONS, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            try {
                if (closing.await(2, TimeUnit.SECONDS)) {
                    return null;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /** Brings this replica's generations in line with the snapshot. */
    synchronized void apply(IndexGenerations g) {
        try {
            if (building != null && g.serving() == building.generation()) {
                switchToBuilding();
            } else if (building != null && (g.building() == null || g.building() != building.generation())) {
                log.info("index generation {} was abandoned: dropping it", building.generation());
                Building b = stopBuilding();
                b.index().close();
                GenerationDirs.delete(dirs.of(b.generation()));
            }
            if (g.building() != null && building == null && g.building() > servingGeneration) {
                openBuilding(g);
            }
            if (g.serving() != servingGeneration) {
                log.warn("index generation {} serves, but this replica serves {} and never built {}: restart it "
                        + "to rebuild generation {} from the log", g.serving(), servingGeneration, g.serving(), g.serving());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot apply index generations " + g, e);
        }
    }

    private void openBuilding(IndexGenerations g) throws IOException {
        long generation = g.building();
        LuceneIndex index = new LuceneIndex(dirs.of(generation), format);
        if (index.committedOffsets().isEmpty()) {
            index.commit(g.buildingStartOffsets()); // its indexer starts where the re-index began
        }
        // a generation of another model takes that model's vectors, whatever their dimension
        Indexer indexer = new Indexer(bootstrapServers, index, g.buildingModel() == null ? dimension : 0,
                g.buildingModel(), registry);
        Thread thread = Thread.ofPlatform().name("ragline-indexer-gen-" + generation).start(() -> {
            try {
                indexer.run();
            } catch (RuntimeException e) {
                log.error("indexer of generation {} stopped on an error", generation, e);
            }
        });
        building = new Building(generation, index, indexer, thread);
        log.info("building index generation {} in {} (model {}) from {}", generation, dirs.of(generation),
                g.buildingModel() == null ? "any" : g.buildingModel(), g.buildingStartOffsets());
    }

    private Building stopBuilding() {
        Building b = building;
        building = null;
        b.indexer().close();
        try {
            b.thread().join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return b;
    }

    private void switchToBuilding() throws IOException {
        servingIndexer.pause();
        try {
            Building b = stopBuilding(); // its indexer commits what it indexed before it stops
            Path old = serving.takeOver(b.index());
            long previous = servingGeneration;
            servingGeneration = b.generation();
            GenerationDirs.delete(old);
            log.info("index generation {} serves now; generation {} was deleted", servingGeneration, previous);
        } finally {
            servingIndexer.resume();
        }
    }

    /** Stops following; a building generation's indexer commits and its files stay for the next start. */
    @Override
    public void close() {
        if (running.getAndSet(false)) {
            closing.countDown();
            consumer.wakeup();
        }
        try {
            stopped.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (building != null) {
                Building b = stopBuilding();
                try {
                    b.index().close();
                } catch (IOException e) {
                    log.warn("closing index generation {} failed", b.generation(), e);
                }
            }
        }
    }
}
