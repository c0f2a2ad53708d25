package io.ragline.search.index;

import io.ragline.core.runtime.Resources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ragline.core.Topics;
import io.ragline.core.event.DlqRecord;
import io.ragline.core.metrics.MetricNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts the records on {@code ragline.documents.dlq} by reading it (read committed): offsets
 * alone would also count the transaction markers the exactly-once topology writes.
 */
public final class DlqTail implements Resources.Loop {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final MeterRegistry registry;
    private final AtomicLong count = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped = new CountDownLatch(1);

    public DlqTail(String bootstrapServers, MeterRegistry registry) {
        this.registry = registry;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, "ragline-dlq-tail"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        // every reason at zero from the start: rate() in the DLQ alert and panel answers 0, not nothing
        for (io.ragline.core.event.DlqReason reason : io.ragline.core.event.DlqReason.values()) {
            counter(reason.name());
        }
    }

    private Counter counter(String reason) {
        return Counter.builder(MetricNames.DLQ_RECORDS).description("Records refused into the DLQ, by reason")
                .tag("reason", reason).register(registry);
    }

    public long count() {
        return count.get();
    }

    @Override
    public void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(Topics.DOCUMENTS_DLQ, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Header reason = record.headers().lastHeader(DlqRecord.REASON_HEADER);
                    counter(reason == null ? "unknown" : new String(reason.value(), StandardCharsets.UTF_8)).increment();
                    count.incrementAndGet();
                }
            }
        } catch (WakeupException e) {
            // close() was called
        } finally {
            consumer.close();
            stopped.countDown();
        }
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
