package io.ragline.embed;

import io.ragline.core.runtime.Resources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ragline.core.Topics;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.DlqReason;
import io.ragline.core.event.DlqRecord;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.core.json.Json;
import io.ragline.core.metrics.MetricNames;
import io.ragline.core.model.Embedder;
import io.ragline.core.runtime.ConsumerLoopHealth;
import io.ragline.core.runtime.Health;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.time.Duration;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds chunks from {@code ragline.chunks} into {@code ragline.embeddings}. Each polled batch is
 * one Kafka transaction holding its embeddings and its consumer offsets: a worker killed
 * mid-batch loses nothing (the batch is consumed again) and duplicates nothing (its partial
 * output is aborted and invisible to read-committed readers).
 */
public final class EmbeddingWorker implements Resources.Loop {
    private static final Logger log = LoggerFactory.getLogger(EmbeddingWorker.class);

    private final EmbeddingWorkerConfig config;
    private final Embedder embedder;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile boolean killed;
    /** Offsets this worker committed per partition (only its thread touches it). */
    private final Map<TopicPartition, Long> lastCommitted = new HashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** A member of the group: partitions (maybe none) were assigned since the last loss. */
    private final ConsumerLoopHealth health;
    /** Longer without a poll and the group drops the member anyway (the consumer's max.poll.interval.ms default). */
    private static final int ATTEMPTS = 3;
    private static final int BATCHES_PER_TRANSACTION = 8;
    private final Counter embedded;
    private final Counter failures;
    private final Counter truncatedChunks;
    private final Timer batchLatency;
    private final DistributionSummary batchSize;

    public EmbeddingWorker(EmbeddingWorkerConfig config, Embedder embedder, MeterRegistry registry) {
        this.config = config;
        this.health = new ConsumerLoopHealth("the embedding worker", config.groupId(), Topics.CHUNKS);
        this.embedder = embedder;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, config.groupId(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // one transaction per poll: several model batches share its commit round trips
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxBatch() * BATCHES_PER_TRANSACTION,
                // a killed worker's partitions move to the survivors after this long
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000,
                ConsumerConfig.CLIENT_ID_CONFIG, "ragline-embedder-" + config.instanceId()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ragline-embedder-" + config.instanceId(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                // a killed worker's open transaction blocks read-committed readers until the broker aborts it
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000,
                ProducerConfig.CLIENT_ID_CONFIG, "ragline-embedder-" + config.instanceId()),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.embedded = Counter.builder(MetricNames.EMBEDDINGS).description("Chunks embedded and published")
                .register(registry);
        this.batchLatency = Timer.builder(MetricNames.EMBEDDING_BATCH_LATENCY)
                .description("Time to embed and publish one batch").publishPercentileHistogram().register(registry);
        this.failures = Counter.builder(MetricNames.EMBEDDING_FAILURES)
                .description("Chunks the model could not embed after retries (sent to the DLQ)").register(registry);
        this.truncatedChunks = Counter.builder(MetricNames.EMBEDDING_TRUNCATED)
                .description("Chunks longer than the model's maximum, embedded from their beginning only").register(registry);
        this.batchSize = DistributionSummary.builder(MetricNames.EMBEDDING_BATCH_SIZE)
                .description("Chunks per embedding batch").register(registry);
    }

    @Override
    public void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(Topics.CHUNKS), health);
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(config.maxWait());
                } catch (WakeupException e) {
                    break;
                }
                health.polled();
                if (!records.isEmpty()) {
                    process(records);
                } else {
                    commitIdlePositions();
                }
            }
        } catch (RuntimeException e) {
            if (running.get()) {
                health.crashed(e);
                log.error("embedding worker {} stopped on an error", config.instanceId(), e);
                throw e;
            }
        } catch (Error e) {
            health.crashed(e);
            throw e;
        } finally {
            // a killed worker stays in its group, as a crashed one would, until its session times out
            if (killed) {
                consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP));
            } else {
                consumer.close();
            }
            producer.close();
            stopped.countDown();
        }
    }

    private void process(ConsumerRecords<byte[], byte[]> records) {
        long start = System.nanoTime();
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(records.count());
        List<ChunkEvent> chunks = new ArrayList<>(records.count());
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            batch.add(record);
            chunks.add(Json.read(record.value(), ChunkEvent.class));
            offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
        }
        List<float[]> vectors = embed(chunks);
        try {
            producer.beginTransaction();
            for (int i = 0; i < chunks.size(); i++) {
                ChunkEvent chunk = chunks.get(i);
                if (vectors.get(i) == null) {
                    producer.send(deadLetter(batch.get(i)));
                    continue;
                }
                boolean truncated = embedder.truncates(chunk.embeddingText());
                if (truncated) {
                    truncatedChunks.increment();
                }
                producer.send(new ProducerRecord<>(Topics.EMBEDDINGS, chunk.chunkId().getBytes(StandardCharsets.UTF_8),
                        Json.write(EmbeddingEvent.of(chunk, embedder.modelId(), vectors.get(i), truncated))));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
            offsets.forEach((tp, offset) -> lastCommitted.put(tp, offset.offset()));
        } catch (KafkaException e) {
            // fenced or failed: abort, and rewind so the batch is embedded again (by us or the new owner)
            log.warn("transaction of {} chunks failed; retrying the batch", chunks.size(), e);
            try {
                producer.abortTransaction();
            } catch (KafkaException ignored) {
                // the producer is fenced: the partitions belong to another worker now
            }
            rewind(offsets.keySet());
            return;
        }
        embedded.increment(chunks.size());
        batchSize.record(chunks.size());
        batchLatency.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * Embeds the batch; if the model fails on it, embeds chunk by chunk so that one bad chunk
     * (null in the result, after {@value #ATTEMPTS} attempts) cannot hold up its partition.
     */
    private List<float[]> embed(List<ChunkEvent> chunks) {
        List<float[]> out = new ArrayList<>(chunks.size());
        for (int from = 0; from < chunks.size(); from += config.maxBatch()) {
            out.addAll(embedBatch(chunks.subList(from, Math.min(chunks.size(), from + config.maxBatch()))));
        }
        return out;
    }

    private List<float[]> embedBatch(List<ChunkEvent> chunks) {
        try {
            return embedder.embedPassages(chunks.stream().map(ChunkEvent::embeddingText).toList());
        } catch (RuntimeException batchFailure) {
            log.warn("embedding a batch of {} chunks failed; trying them one by one", chunks.size(), batchFailure);
        }
        List<float[]> out = new ArrayList<>(chunks.size());
        for (ChunkEvent chunk : chunks) {
            float[] vector = null;
            for (int attempt = 1; attempt <= ATTEMPTS && vector == null; attempt++) {
                try {
                    vector = embedder.embedPassages(List.of(chunk.embeddingText())).getFirst();
                } catch (RuntimeException e) {
                    log.warn("embedding chunk {} failed (attempt {} of {})", chunk.chunkId(), attempt, ATTEMPTS, e);
                }
            }
            if (vector == null) {
                failures.increment();
            }
            out.add(vector);
        }
        return out;
    }

    private ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> record) {
        DlqRecord dlq = new DlqRecord(DlqRecord.SCHEMA, DlqReason.EMBEDDING_FAILED,
                "the model failed " + ATTEMPTS + " times on this chunk", record.topic(), record.partition(),
                record.offset(), record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                new String(record.value(), StandardCharsets.UTF_8), "utf-8", System.currentTimeMillis());
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(Topics.DOCUMENTS_DLQ, record.key(), Json.write(dlq));
        out.headers().add(DlqRecord.REASON_HEADER, DlqReason.EMBEDDING_FAILED.name().getBytes(StandardCharsets.UTF_8));
        return out;
    }

    /**
     * A read-committed consumer steps over transaction markers without returning a record, so the
     * last committed offset of an idle partition stays one short of the end and the group shows a
     * phantom lag that would keep KEDA from scaling to zero. Commit such positions when idle.
     */
    private void commitIdlePositions() {
        Map<TopicPartition, OffsetAndMetadata> ahead = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            long position = consumer.position(tp);
            Long committed = lastCommitted.get(tp);
            if (committed == null || position > committed) {
                ahead.put(tp, new OffsetAndMetadata(position));
            }
        }
        if (!ahead.isEmpty()) {
            consumer.commitSync(ahead);
            ahead.forEach((tp, offset) -> lastCommitted.put(tp, offset.offset()));
        }
    }

    private void rewind(java.util.Set<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(partitions);
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata offset = committed.get(tp);
            if (offset != null) {
                consumer.seek(tp, offset);
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
    }

    /**
     * Ready while the worker's loop runs, its consumer is a member of the group and it polled
     * within the last five minutes (a batch stuck longer costs its
     * membership anyway); otherwise the reason.
     */
    public Health health() {
        return health.health(running.get() && stopped.getCount() > 0);
    }

    /**
     * Fault injection, mirroring a crash: the producer is closed at once, abandoning the open
     * transaction (the broker aborts it when this transactional id starts again, or when it times
     * out), nothing is committed, and the batch in flight is consumed again by the next owner.
     */
    public void kill() {
        killed = true;
        running.set(false);
        producer.close(Duration.ZERO);
        consumer.wakeup();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Finishes the batch in flight, commits it, and stops. */
    @Override
    public void close() {
        if (running.getAndSet(false)) {
            consumer.wakeup();
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
