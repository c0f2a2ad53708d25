package io.ragline.ops.dr;

import io.ragline.core.Topics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Measures {@link DataLoss} on the source's {@code ragline.documents}, the log every acknowledged
 * document passes through (DESIGN.md: Kafka is the source of truth). Per partition, the first offset
 * whose record timestamp is at or after the consistency point (ListOffsets by timestamp, which also
 * answers that record's timestamp) up to the last committed offset (read_committed, so transaction
 * markers and aborted writes do not count); the window ends at the partition's newest timestamp.
 * Record timestamps are the producers' CreateTime unless the topic uses LogAppendTime; a compaction
 * that already removed a superseded version makes the count an upper bound.
 */
public final class DocumentLog {
    private static final long TIMEOUT_SECONDS = 30;
    private final Admin admin;
    private final String topic;

    public DocumentLog(Admin admin) {
        this(admin, Topics.DOCUMENTS);
    }

    DocumentLog(Admin admin, String topic) {
        this.admin = admin;
        this.topic = topic;
    }

    public DataLoss since(Instant consistencyPoint) throws ExecutionException, InterruptedException, TimeoutException {
        List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, ListOffsetsResultInfo> first = offsets(partitions,
                p -> OffsetSpec.forTimestamp(consistencyPoint.toEpochMilli()));
        Map<TopicPartition, ListOffsetsResultInfo> end = offsets(partitions, p -> OffsetSpec.latest());
        Map<TopicPartition, ListOffsetsResultInfo> newest = offsets(partitions, p -> OffsetSpec.maxTimestamp());
        long documents = 0;
        Long start = null;
        Long last = null;
        for (TopicPartition p : partitions) {
            ListOffsetsResultInfo from = first.get(p);
            if (from == null || from.offset() < 0) {
                continue; // nothing in this partition after the consistency point
            }
            long lost = end.get(p).offset() - from.offset();
            if (lost <= 0) {
                continue;
            }
            documents += lost;
            start = start == null ? from.timestamp() : Math.min(start, from.timestamp());
            long latest = newest.get(p).timestamp();
            last = last == null ? latest : Math.max(last, latest);
        }
        return new DataLoss(documents, start == null ? null : Instant.ofEpochMilli(start),
                last == null ? null : Instant.ofEpochMilli(last),
                "records of " + topic + " (" + partitions.size() + " partitions) with a timestamp at or after "
                        + consistencyPoint);
    }

    private Map<TopicPartition, ListOffsetsResultInfo> offsets(List<TopicPartition> partitions,
                                                               Function<TopicPartition, OffsetSpec> spec)
            throws ExecutionException, InterruptedException, TimeoutException {
        return admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, spec)),
                        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
