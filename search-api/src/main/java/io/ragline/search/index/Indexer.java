package io.ragline.search.index;

import io.ragline.core.runtime.Resources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import io.ragline.core.Topics;
import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.core.json.Json;
import io.ragline.core.metrics.MetricNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materialises {@code ragline.embeddings} and {@code ragline.document-state} into the local
 * index. No consumer group: each replica reads every partition and keeps its own position in
 * its index commits. Document states are read from the beginning at every start (the topic is
 * compacted: one snapshot per document) so the replica knows which version each document serves.
 * Topics and partitions created after its start are picked up every {@link #partitionCheckInterval}.
 */
public final class Indexer implements Resources.Loop, IndexerSupervisor.Task {
    private static final Logger log = LoggerFactory.getLogger(Indexer.class);
    private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(2);
    private static final Duration PARTITION_CHECK_INTERVAL = Duration.ofSeconds(10);
    private static final Duration PARTITION_LOOKUP_TIMEOUT = Duration.ofSeconds(5);

    private final ChunkSink index;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Admin admin;
    // only the indexer's thread touches these
    private final List<TopicPartition> embeddings = new ArrayList<>();
    private final List<TopicPartition> states = new ArrayList<>();
    private Map<String, Long> committed = Map.of();
    private Map<TopicPartition, Long> catchUpTarget = Map.of();
    private volatile boolean caughtUp;
    private volatile Duration partitionCheckInterval = PARTITION_CHECK_INTERVAL;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile boolean killed;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Counter chunksIndexed;
    private final Counter statesApplied;
    private final Timer activationLag;
    private final MeterRegistry registry;
    /** Activation times (epoch ms) of the versions applied since the last refresh. */
    private final List<Long> activatedSinceRefresh = new ArrayList<>();

    private final int dimension;
    private final String model;

    /** @param dimension the vector dimension of the model this replica serves; other vectors are skipped */
    public Indexer(String bootstrapServers, ChunkSink index, int dimension, MeterRegistry registry) {
        this(bootstrapServers, index, dimension, null, registry);
    }

    /**
     * @param dimension 0: vectors of any dimension
     * @param model     only embeddings of this model are indexed (a generation re-indexed with another model); null: any
     */
    public Indexer(String bootstrapServers, ChunkSink index, int dimension, String model, MeterRegistry registry) {
        this.index = index;
        this.dimension = dimension;
        this.model = model;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000,
                // a replica started before the topics exist must not create them (one partition, not compacted)
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "ragline-indexer"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "ragline-indexer-admin"));
        this.chunksIndexed = Counter.builder(MetricNames.INDEXER_CHUNKS).description("Embedded chunks written to the index")
                .register(registry);
        this.statesApplied = Counter.builder(MetricNames.INDEXER_STATES).description("Document states applied to the index")
                .register(registry);
        this.registry = registry;
        this.activationLag = Timer.builder(MetricNames.INDEXER_ACTIVATION_LAG)
                .description("From a version's activation to the refresh that makes it searchable on this replica")
                .serviceLevelObjectives(Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(5))
                .register(registry);
        // at zero from the start, so that increase() in the alert answers 0 rather than nothing
        for (String topic : List.of(Topics.EMBEDDINGS, Topics.DOCUMENT_STATE)) {
            skippedCounter(topic);
        }
    }

    private Counter skippedCounter(String topic) {
        return Counter.builder(MetricNames.INDEXER_SKIPPED).tag("topic", topic)
                .description("Records the indexer could not read and skipped").register(registry);
    }

    @Override
    public void run() {
        try {
            embeddings.addAll(partitions(Topics.EMBEDDINGS, true));
            states.addAll(partitions(Topics.DOCUMENT_STATE, true));
            Map<TopicPartition, Long> statePositions = bootstrapStates(states);
            if (statePositions == null) {
                return; // closed while bootstrapping: nothing was written
            }
            List<TopicPartition> all = new ArrayList<>(embeddings);
            all.addAll(states);
            consumer.assign(all);
            statePositions.forEach(consumer::seek);
            committed = index.committedOffsets();
            for (TopicPartition tp : embeddings) {
                seekEmbeddings(tp);
            }
            log.info("indexer reading {} from {}", Topics.EMBEDDINGS, committed.isEmpty() ? "the beginning (rebuild)" : committed);
            // caught up once every position reaches the end (last stable offset) the logs have now
            catchUpTarget = new HashMap<>(consumer.endOffsets(all));
            long lastCommit = System.nanoTime();
            long lastPartitionCheck = System.nanoTime();
            boolean dirty = false;
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    if (!caughtUp && reachedCatchUpTarget()) {
                        caughtUp = true;
                        log.info("indexer caught up with {} and {} at {}", Topics.EMBEDDINGS, Topics.DOCUMENT_STATE,
                                catchUpTarget);
                    }
                    if (System.nanoTime() - lastPartitionCheck > partitionCheckInterval.toNanos()) {
                        assignNewPartitions();
                        lastPartitionCheck = System.nanoTime();
                    }
                    if (consumer.assignment().isEmpty()) {
                        // neither topic exists yet: nothing to poll (a consumer without partitions refuses to)
                        closing.await(100, TimeUnit.MILLISECONDS);
                        continue;
                    }
                    records = consumer.poll(Duration.ofMillis(100));
                } catch (WakeupException e) {
                    break; // close() was called: commit below
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    apply(record);
                }
                if (!records.isEmpty()) {
                    index.refresh();
                    recordActivationLag();
                    dirty = true;
                }
                // not once stopping: a close commits below, a kill (a crash) must not commit at all
                if (dirty && running.get() && System.nanoTime() - lastCommit > COMMIT_INTERVAL.toNanos()) {
                    index.commit(positions(embeddings));
                    lastCommit = System.nanoTime();
                    dirty = false;
                }
            }
            if (!killed) {
                index.commit(positions(embeddings));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("indexer failed", e);
        } finally {
            consumer.close();
            admin.close(Duration.ofSeconds(5));
            stopped.countDown();
        }
    }

    /**
     * Whether this indexer has read both topics up to the end (last stable offset) they had when it
     * started reading them, partitions that appeared before then included. Once true it stays true
     * while the indexer runs: a replica that has caught up keeps up, and a burst of new records must
     * not take every replica out of service at once.
     */
    public boolean caughtUp() {
        return caughtUp;
    }

    /**
     * How often the indexer looks for topics and partitions created after its start (a replica
     * started before {@code ragline.embeddings} exists, partitions added later). Call before {@link #run()}.
     */
    public Indexer partitionCheckInterval(Duration interval) {
        this.partitionCheckInterval = interval;
        return this;
    }

    private void seekEmbeddings(TopicPartition tp) {
        Long offset = committed.get(tp.toString());
        if (offset == null) {
            consumer.seekToBeginning(List.of(tp)); // not in the index's commit: a new partition, read it all
        } else {
            consumer.seek(tp, offset);
        }
    }

    private boolean reachedCatchUpTarget() {
        for (Map.Entry<TopicPartition, Long> target : catchUpTarget.entrySet()) {
            if (consumer.position(target.getKey()) < target.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds the partitions of both topics that appeared since the last look to the assignment. The
     * partitions already read keep their positions; a new partition of {@code ragline.embeddings}
     * starts where the index's commit has it (from the beginning when it has none), a new one of
     * {@code ragline.document-state} from its beginning: its snapshots are newer than this indexer's
     * start, so applying them in order is what reading them live would have done.
     */
    private void assignNewPartitions() {
        List<TopicPartition> newEmbeddings = partitions(Topics.EMBEDDINGS, false);
        newEmbeddings.removeAll(embeddings);
        List<TopicPartition> newStates = partitions(Topics.DOCUMENT_STATE, false);
        newStates.removeAll(states);
        if (newEmbeddings.isEmpty() && newStates.isEmpty()) {
            return;
        }
        embeddings.addAll(newEmbeddings);
        states.addAll(newStates);
        List<TopicPartition> all = new ArrayList<>(embeddings);
        all.addAll(states);
        consumer.assign(all); // partitions kept keep their positions
        newEmbeddings.forEach(this::seekEmbeddings);
        consumer.seekToBeginning(newStates);
        List<TopicPartition> added = new ArrayList<>(newEmbeddings);
        added.addAll(newStates);
        if (!caughtUp) {
            catchUpTarget.putAll(consumer.endOffsets(added));
        }
        log.info("indexer reading new partitions {}", added);
    }
    /**
     * Reads {@code ragline.document-state} from the beginning to its end and applies only each
     * document's latest snapshot, which is what compaction leaves of the topic anyway: a snapshot
     * superseded later in the log (for instance a delete that a restore undid by publishing the
     * restored state again) is never applied. Returns the positions reached, or null when closed.
     */
    private Map<TopicPartition, Long> bootstrapStates(List<TopicPartition> states) throws IOException {
        consumer.assign(states);
        consumer.seekToBeginning(states);
        Map<TopicPartition, Long> end = consumer.endOffsets(states);
        Map<String, DocumentState> latest = new java.util.LinkedHashMap<>();
        Map<TopicPartition, Long> positions = new HashMap<>();
        while (true) {
            positions.clear();
            for (TopicPartition tp : states) {
                positions.put(tp, consumer.position(tp));
            }
            if (states.stream().allMatch(tp -> positions.get(tp) >= end.getOrDefault(tp, 0L))) {
                break;
            }
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(Duration.ofMillis(100));
            } catch (WakeupException e) {
                return null;
            }
            if (!running.get()) {
                return null;
            }
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (record.value() != null) {
                    try {
                        DocumentState state = Json.read(record.value(), DocumentState.class);
                        latest.put(state.documentKey(), state);
                    } catch (UncheckedIOException e) {
                        skip(record, e);
                    }
                }
            }
        }
        index.resetStates();
        for (DocumentState state : latest.values()) {
            index.apply(state);
            statesApplied.increment();
        }
        index.refresh();
        log.info("indexer applied the latest state of {} documents from {}", latest.size(), Topics.DOCUMENT_STATE);
        return positions;
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) throws IOException {
        try {
            applyParsed(record);
        } catch (UncheckedIOException e) {
            skip(record, e);
        }
    }

    /**
     * Only ragline writes these topics, so an unreadable record is a bug or a stray producer. One
     * record must not stop the replica (it would fail on it again after every restart): skip it, loudly.
     */
    private void skip(ConsumerRecord<byte[], byte[]> record, UncheckedIOException e) {
        if (!(e.getCause() instanceof com.fasterxml.jackson.core.JacksonException)) {
            throw e;
        }
        log.error("skipping {}-{}@{}: not a ragline record ({})", record.topic(), record.partition(),
                record.offset(), e.getCause().getMessage());
        skippedCounter(record.topic()).increment();
    }

    private void applyParsed(ConsumerRecord<byte[], byte[]> record) throws IOException {
        if (record.topic().equals(Topics.EMBEDDINGS)) {
            if (record.value() == null) {
                index.deleteChunk(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8));
            } else {
                EmbeddingEvent embedding = Json.read(record.value(), EmbeddingEvent.class);
                if (model != null && !model.equals(embedding.model())) {
                    return; // live embeddings of the old model: not for a generation built with another one
                }
                if (dimension > 0 && embedding.dimension() != dimension) {
                    // a vector of another model (e.g. before a model change): it cannot share the HNSW graph
                    log.warn("skipping chunk {}: {}-dimensional vector from model {}, this replica serves {} dimensions",
                            embedding.chunk().chunkId(), embedding.dimension(), embedding.model(), dimension);
                    return;
                }
                index.upsert(embedding);
                chunksIndexed.increment();
            }
        } else if (record.value() != null) {
            DocumentState state = Json.read(record.value(), DocumentState.class);
            index.apply(state);
            statesApplied.increment();
            if (state.status() == DocumentStatus.ACTIVE) {
                activatedSinceRefresh.add(state.updatedAtMillis());
            }
        }
    }

    /** How long the versions activated since the last refresh took to become searchable here. */
    private void recordActivationLag() {
        long now = System.currentTimeMillis();
        for (long activatedAt : activatedSinceRefresh) {
            // the lifecycle may run on another host: a clock behind ours must not count as negative
            activationLag.record(Math.max(0, now - activatedAt), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        activatedSinceRefresh.clear();
    }

    /**
     * The topic's partitions, fresh from the brokers (a consumer's metadata would see new partitions
     * minutes late); none while the topic does not exist. At start ({@code required}) an unreachable
     * cluster fails the indexer, which its supervisor restarts; later a failed look is retried.
     */
    private List<TopicPartition> partitions(String topic, boolean required) {
        List<TopicPartition> out = new ArrayList<>();
        try {
            TopicDescription description = admin.describeTopics(List.of(topic),
                            new DescribeTopicsOptions().timeoutMs((int) PARTITION_LOOKUP_TIMEOUT.toMillis()))
                    .topicNameValues().get(topic).get(PARTITION_LOOKUP_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            for (TopicPartitionInfo p : description.partitions()) {
                out.add(new TopicPartition(topic, p.partition()));
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                lookupFailed(topic, required, e.getCause());
            }
        } catch (TimeoutException e) {
            lookupFailed(topic, required, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lookupFailed(topic, required, e);
        }
        return out;
    }

    private static void lookupFailed(String topic, boolean required, Throwable cause) {
        if (required) {
            throw new IllegalStateException("cannot look up the partitions of " + topic, cause);
        }
        log.warn("cannot look up the partitions of {}; trying again later ({})", topic, cause.toString());
    }

    private Map<String, Long> positions(List<TopicPartition> partitions) {
        Map<String, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            out.put(tp.toString(), consumer.position(tp));
        }
        return out;
    }

    /**
     * Fault injection, mirroring a crash: stops reading without the final commit. What was indexed
     * since the last commit is still in the writer; {@link LuceneIndex#rollback()} drops it.
     */
    public void kill() {
        killed = true;
        close();
    }

    /** Stops reading, commits what was indexed, and returns once the index is consistent on disk. */
    @Override
    public void close() {
        if (running.getAndSet(false)) {
            closing.countDown();
            consumer.wakeup();
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
