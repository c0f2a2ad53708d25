package io.ragline.ingest.lifecycle;

import io.ragline.core.Topics;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Publishes a version's chunks to {@code ragline.chunks} again, read back from the same topic:
 * what the lifecycle does when chunks are still missing from the index after the timeout (a
 * chunk refused by the model, a replica that lost data). Embeddings are upserts by chunk id, so
 * chunks that were already embedded change nothing.
 */
public final class ChunkRedriver implements AutoCloseable {
    /** How far before the version's acceptance to start reading, for clock skew between hosts. */
    private static final Duration SKEW = Duration.ofMinutes(1);

    private final String bootstrapServers;
    private final KafkaProducer<byte[], byte[]> producer;

    public ChunkRedriver(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "ragline-chunk-redriver"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Returns how many chunks of the version were found and published again. */
    public int redrive(String tenant, String documentId, long version, long acceptedAtMillis) {
        byte[] key = Topics.documentKey(tenant, documentId).getBytes(StandardCharsets.UTF_8);
        List<ProducerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "ragline-chunk-redriver"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            int partitions = consumer.partitionsFor(Topics.CHUNKS, Duration.ofSeconds(30)).size();
            // the same partition the default partitioner chose for the document's key
            TopicPartition tp = new TopicPartition(Topics.CHUNKS, Utils.toPositive(Utils.murmur2(key)) % partitions);
            consumer.assign(List.of(tp));
            OffsetAndTimestamp from = consumer.offsetsForTimes(Map.of(tp, Math.max(0, acceptedAtMillis - SKEW.toMillis())),
                    Duration.ofSeconds(30)).get(tp);
            if (from == null) {
                return 0; // nothing at or after the version's time: its chunks are gone (retention)
            }
            consumer.seek(tp, from.offset());
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    ChunkEvent chunk = Json.read(r.value(), ChunkEvent.class);
                    if (chunk.version() == version && chunk.documentKey().equals(Topics.documentKey(tenant, documentId))) {
                        found.add(new ProducerRecord<>(Topics.CHUNKS, r.key(), r.value()));
                    }
                }
            }
        }
        try {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> record : found) {
                sent.add(producer.send(record));
            }
            for (java.util.concurrent.Future<?> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted re-driving " + documentId, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not re-drive the chunks of " + documentId + " v" + version, e);
        }
        return found.size();
    }

    @Override
    public void close() {
        producer.close();
    }
}
