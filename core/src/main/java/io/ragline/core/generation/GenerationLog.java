package io.ragline.core.generation;

import io.ragline.core.Topics;
import io.ragline.core.event.IndexGenerations;
import io.ragline.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Reads and writes the one {@link IndexGenerations} snapshot on {@code ragline.index-generations}. */
public final class GenerationLog implements AutoCloseable {
    private final String bootstrapServers;
    private final KafkaProducer<byte[], byte[]> producer;

    public GenerationLog(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.CLIENT_ID_CONFIG, "ragline-generation-log"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The latest snapshot, or {@link IndexGenerations#initial()} when none was ever written. */
    public IndexGenerations current() {
        return readLatest(bootstrapServers).orElse(IndexGenerations.initial());
    }

    public void publish(IndexGenerations generations) {
        try {
            producer.send(new ProducerRecord<>(Topics.INDEX_GENERATIONS, IndexGenerations.KEY.getBytes(StandardCharsets.UTF_8),
                    Json.write(generations))).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing index generations", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not publish index generations", e);
        }
    }

    /** Reads the topic to its end; empty when the topic or its record does not exist (yet). */
    public static Optional<IndexGenerations> readLatest(String bootstrapServers) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers, "ragline-generation-reader")) {
            List<PartitionInfo> infos = consumer.partitionsFor(Topics.INDEX_GENERATIONS, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                return Optional.empty();
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            IndexGenerations latest = null;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    IndexGenerations g = parse(r);
                    if (g != null) {
                        latest = g;
                    }
                }
            }
            return Optional.ofNullable(latest);
        }
    }

    /** The snapshot in a record of the topic, or null for anything else. */
    public static IndexGenerations parse(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null || record.key() == null
                || !IndexGenerations.KEY.equals(new String(record.key(), StandardCharsets.UTF_8))) {
            return null;
        }
        return Json.read(record.value(), IndexGenerations.class);
    }

    /** A read-committed consumer without a group that never creates the topic by reading it. */
    public static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers, String clientId) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, clientId),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void close() {
        producer.close();
    }
}
