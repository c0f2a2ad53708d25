package io.ragline.embed;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ragline.core.Topics;
import io.ragline.core.metrics.MetricNames;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * The embedding workers' backlog, as KEDA's {@code metrics-api} scaler and Prometheus read it:
 * the group's total lag on {@code ragline.chunks} (last stable offset minus committed offset, per
 * partition) and the lag per running replica. Cached briefly so scrapes do not hammer the broker.
 */
public final class ScalingMetrics implements AutoCloseable {
    private static final Duration CACHE = Duration.ofSeconds(2);

    /** The JSON body of {@code GET /keda/metrics}; KEDA reads {@code lagPerReplica}. */
    public record Snapshot(String group, String topic, long totalLag, int replicas, double lagPerReplica,
                           Map<Integer, Long> lagByPartition) {
    }

    private final Admin admin;
    private final String group;
    private Snapshot cached;
    private long cachedAt;

    public ScalingMetrics(String bootstrapServers, String group, MeterRegistry registry) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        this.group = group;
        Gauge.builder(MetricNames.EMBEDDING_LAG, this, m -> m.snapshot().totalLag())
                .description("Chunks waiting on ragline.chunks for the embedding workers").register(registry);
        Gauge.builder(MetricNames.EMBEDDING_LAG_PER_REPLICA, this, m -> m.snapshot().lagPerReplica())
                .description("Backlog per running embedding worker (KEDA's target)").register(registry);
    }

    public synchronized Snapshot snapshot() {
        if (cached == null || System.nanoTime() - cachedAt > CACHE.toNanos()) {
            cached = compute();
            cachedAt = System.nanoTime();
        }
        return cached;
    }

    private Snapshot compute() {
        try {
            TopicDescription topic = admin.describeTopics(java.util.List.of(Topics.CHUNKS)).allTopicNames()
                    .get(10, TimeUnit.SECONDS).get(Topics.CHUNKS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            for (TopicPartitionInfo p : topic.partitions()) {
                latest.put(new TopicPartition(Topics.CHUNKS, p.partition()), OffsetSpec.latest());
                earliest.put(new TopicPartition(Topics.CHUNKS, p.partition()), OffsetSpec.earliest());
            }
            ListOffsetsOptions committedOnly = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
            var ends = admin.listOffsets(latest, committedOnly).all().get(10, TimeUnit.SECONDS);
            var starts = admin.listOffsets(earliest, committedOnly).all().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            ConsumerGroupDescription description = admin.describeConsumerGroups(java.util.List.of(group))
                    .describedGroups().get(group).get(10, TimeUnit.SECONDS);
            Map<Integer, Long> byPartition = new java.util.TreeMap<>();
            long total = 0;
            for (TopicPartition tp : latest.keySet()) {
                OffsetAndMetadata offset = committed.get(tp);
                long from = offset != null ? offset.offset() : starts.get(tp).offset();
                long lag = Math.max(0, ends.get(tp).offset() - from);
                byPartition.put(tp.partition(), lag);
                total += lag;
            }
            int replicas = description.members().size();
            return new Snapshot(group, Topics.CHUNKS, total, replicas, (double) total / Math.max(1, replicas), byPartition);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading the embedding backlog", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the embedding backlog: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
