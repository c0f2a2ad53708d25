package io.ragline.ingest.reindex;

import io.ragline.core.Topics;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.core.json.Json;
import io.ragline.core.store.MetadataStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Reads {@code ragline.embeddings} (compacted: each chunk's latest embedding carries the whole
 * chunk) and publishes the chunks of each document's active version to {@code ragline.chunks}
 * again, for the embedding workers to embed into the new generation. Chunks of superseded or
 * deleted versions are skipped: the metadata store says which version is active.
 */
public final class ChunkRepublisher implements AutoCloseable {
    private final String bootstrapServers;
    private final MetadataStore metadata;
    private final KafkaProducer<byte[], byte[]> producer;

    public ChunkRepublisher(String bootstrapServers, MetadataStore metadata) {
        this.bootstrapServers = bootstrapServers;
        this.metadata = metadata;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "ragline-reindex-republisher"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Where ragline.embeddings ends now (read-committed), per {@code topic-partition}. */
    public Map<String, Long> endOffsets() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(1)) {
            List<TopicPartition> partitions = partitions(consumer);
            Map<String, Long> out = new LinkedHashMap<>();
            consumer.endOffsets(partitions, Duration.ofSeconds(30)).forEach((tp, o) -> out.put(tp.toString(), o));
            return out;
        }
    }

    /**
     * Reads from {@code cursor} (a partition missing from it: from its beginning) up to {@code scanEnd},
     * about {@code batchSize} records, and republishes the active chunks among them.
     */
    public ScanBatch republish(Map<String, Long> cursor, Map<String, Long> scanEnd, int batchSize, Runnable heartbeat) {
        Map<String, Long> next = new HashMap<>(cursor);
        Map<String, ChunkEvent> chunks = new LinkedHashMap<>();
        long scanned = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(batchSize)) {
            List<TopicPartition> open = new ArrayList<>();
            for (TopicPartition tp : partitions(consumer)) {
                long end = scanEnd.getOrDefault(tp.toString(), 0L);
                if (cursor.getOrDefault(tp.toString(), 0L) < end) {
                    open.add(tp);
                } else {
                    next.put(tp.toString(), end);
                }
            }
            consumer.assign(open);
            for (TopicPartition tp : open) {
                Long from = cursor.get(tp.toString());
                if (from == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, from);
                }
            }
            while (!open.isEmpty() && scanned < batchSize) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= scanEnd.getOrDefault(tp.toString(), 0L)) {
                        continue; // embedded after the re-index began: reaches the new generation by itself
                    }
                    scanned++;
                    if (r.value() != null) {
                        try {
                            ChunkEvent chunk = Json.read(r.value(), EmbeddingEvent.class).chunk();
                            chunks.put(chunk.chunkId(), chunk);
                        } catch (java.io.UncheckedIOException e) {
                            // not a ragline record (the indexers skip it too): nothing to re-embed
                            org.slf4j.LoggerFactory.getLogger(ChunkRepublisher.class).warn(
                                    "skipping {}@{}: not a ragline embedding", tp, r.offset());
                        }
                    }
                }
                for (TopicPartition tp : List.copyOf(open)) {
                    long end = scanEnd.get(tp.toString());
                    long position = Math.min(consumer.position(tp), end);
                    next.put(tp.toString(), position);
                    if (position >= end) {
                        open.remove(tp);
                    }
                }
                heartbeat.run();
            }
        }
        long republished = publishActive(chunks.values());
        boolean done = scanEnd.entrySet().stream().allMatch(e -> next.getOrDefault(e.getKey(), 0L) >= e.getValue());
        return new ScanBatch(next, scanned, republished, done);
    }

    private long publishActive(java.util.Collection<ChunkEvent> chunks) {
        Map<String, Long> active = metadata.activeVersions(chunks.stream().map(ChunkEvent::documentKey).distinct().toList());
        List<Future<?>> sent = new ArrayList<>();
        for (ChunkEvent chunk : chunks) {
            if (active.getOrDefault(chunk.documentKey(), -1L) == chunk.version()) {
                sent.add(producer.send(new ProducerRecord<>(Topics.CHUNKS, chunk.documentKey().getBytes(StandardCharsets.UTF_8),
                        Json.write(chunk))));
            }
        }
        try {
            for (Future<?> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted republishing chunks", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not republish chunks", e);
        }
        return sent.size();
    }

    private KafkaConsumer<byte[], byte[]> consumer(int maxPollRecords) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords,
                ConsumerConfig.CLIENT_ID_CONFIG, "ragline-reindex-scanner"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        return consumer.partitionsFor(Topics.EMBEDDINGS, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    @Override
    public void close() {
        producer.close();
    }
}
