package io.ragline.devstack.eval;

import io.ragline.core.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The documents of one tenant that the ingest topology refused into {@code ragline.documents.dlq}
 * since a point in time: a refused document is settled too, and a load that waits for it to turn
 * ACTIVE would wait forever. Reads the topic from its start without a consumer group.
 */
final class DeadLetters implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String keyPrefix;
    private final long sinceMillis;
    private final Set<String> refused = new HashSet<>();

    DeadLetters(String bootstrapServers, String tenant, long sinceMillis) {
        this.keyPrefix = Topics.documentKey(tenant, "");
        this.sinceMillis = sinceMillis;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "ragline-eval-dead-letters"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.DOCUMENTS_DLQ).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** How many of the tenant's documents were refused so far (each counted once). */
    int refused() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
            if (key.startsWith(keyPrefix) && r.timestamp() >= sinceMillis) {
                refused.add(key);
            }
        }
        return refused.size();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
