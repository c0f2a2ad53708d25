package io.ragline.ops.backup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListStreamsGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Consumer-group offsets and topic configurations through Kafka's Admin API. Restoring offsets
 * needs the groups empty: pause their consumers first.
 */
public final class KafkaState {
    private static final long TIMEOUT_SECONDS = 60;

    private final Admin admin;

    public KafkaState(Admin admin) {
        this.admin = admin;
    }

    /** @param type CONSUMER, CLASSIC or STREAMS (Kafka Streams with the KIP-1071 protocol) */
    public record GroupOffsets(String group, String type, Map<String, Long> offsets) {
    }

    /** @param configs only the configs set on the topic (not broker defaults) */
    public record TopicState(String name, int partitions, short replicationFactor, Map<String, String> configs) {
    }

    /** {@code kafka/state.json}. Offsets are keyed {@code topic:partition}. */
    public record Snapshot(List<TopicState> topics, List<GroupOffsets> groups) {
        public long offsetCount() {
            return groups.stream().mapToLong(g -> g.offsets().size()).sum();
        }
    }

    public Snapshot export() throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> names = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<TopicState> topics = new ArrayList<>();
        if (!names.isEmpty()) {
            Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                    .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (String name : new TreeMap<>(descriptions).keySet()) {
                TopicDescription d = descriptions.get(name);
                Map<String, String> set = new TreeMap<>();
                for (ConfigEntry e : configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name)).entries()) {
                    if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG && !e.isSensitive()) {
                        set.put(e.name(), e.value());
                    }
                }
                topics.add(new TopicState(name, d.partitions().size(),
                        (short) d.partitions().getFirst().replicas().size(), set));
            }
        }
        return new Snapshot(topics, groups(null));
    }

    /** Current offsets of the given groups (all groups when null). */
    public List<GroupOffsets> groups(Set<String> only) throws ExecutionException, InterruptedException,
            TimeoutException {
        Collection<GroupListing> listings = admin.listGroups().all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<GroupOffsets> groups = new ArrayList<>();
        for (GroupListing g : listings.stream().sorted((a, b) -> a.groupId().compareTo(b.groupId())).toList()) {
            if (only != null && !only.contains(g.groupId())) {
                continue;
            }
            GroupType type = g.type().orElse(GroupType.CLASSIC);
            Map<TopicPartition, OffsetAndMetadata> offsets = switch (type) {
                case STREAMS -> admin.listStreamsGroupOffsets(Map.of(g.groupId(), new ListStreamsGroupOffsetsSpec()))
                        .partitionsToOffsetAndMetadata(g.groupId()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                case CONSUMER, CLASSIC -> admin.listConsumerGroupOffsets(Map.of(g.groupId(),
                                new ListConsumerGroupOffsetsSpec()))
                        .partitionsToOffsetAndMetadata(g.groupId()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                default -> null; // share groups keep no committed offsets
            };
            if (offsets == null) {
                continue;
            }
            Map<String, Long> flat = new TreeMap<>();
            offsets.forEach((tp, om) -> {
                if (om != null) {
                    flat.put(tp.topic() + ":" + tp.partition(), om.offset());
                }
            });
            if (!flat.isEmpty()) {
                groups.add(new GroupOffsets(g.groupId(), type.name(), flat));
            }
        }
        return groups;
    }

    /**
     * Creates missing topics, sets the recorded topic configs, and sets every group's committed
     * offsets to the recorded ones. Idempotent.
     */
    public void restore(Snapshot snapshot) throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<NewTopic> missing = snapshot.topics().stream().filter(t -> !existing.contains(t.name()))
                .map(t -> new NewTopic(t.name(), t.partitions(), t.replicationFactor()).configs(t.configs()))
                .toList();
        if (!missing.isEmpty()) {
            admin.createTopics(missing).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        Map<ConfigResource, Collection<AlterConfigOp>> alter = new HashMap<>();
        for (TopicState t : snapshot.topics()) {
            if (existing.contains(t.name()) && !t.configs().isEmpty()) {
                alter.put(new ConfigResource(ConfigResource.Type.TOPIC, t.name()), t.configs().entrySet().stream()
                        .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                        .toList());
            }
        }
        if (!alter.isEmpty()) {
            admin.incrementalAlterConfigs(alter).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        for (GroupOffsets g : snapshot.groups()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            g.offsets().forEach((key, offset) -> {
                int colon = key.lastIndexOf(':');
                offsets.put(new TopicPartition(key.substring(0, colon), Integer.parseInt(key.substring(colon + 1))),
                        new OffsetAndMetadata(offset));
            });
            if ("STREAMS".equals(g.type())) {
                admin.alterStreamsGroupOffsets(g.group(), offsets).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } else {
                admin.alterConsumerGroupOffsets(g.group(), offsets).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
    }
}
