package io.ragline.devstack.ops;

import io.ragline.core.Topics;
import io.ragline.embed.EmbeddingWorkerConfig;
import io.ragline.ingest.IngestNode;
import io.ragline.ingest.lifecycle.LifecycleStarter;
import io.ragline.ops.restore.IngestionControl;
import io.ragline.search.SearchNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pauses and resumes everything in the embedded platform that writes the index or the metadata:
 * the ingest topology, the embedding worker and the lifecycle workers are closed (each leaves its
 * consumer group, so a restore can set the groups' offsets) and created again; the search
 * replica's indexer is stopped after committing. Search keeps serving throughout.
 *
 * <p>Resuming after a restore first reconciles the logs with the restored state, since Kafka itself
 * is not rewound: the lifecycle group moves to the end of {@code ragline.lifecycle} when a restore
 * rewound it (every event after the backup was applied to the metadata that the restore just
 * replaced; replaying them would undo the restore), and {@link StateReconciler} publishes the
 * restored document states. The ingest topology and the embedding worker do replay from the restored
 * offsets: the topology's content hashes make documents it already processed no-ops, and re-embedded
 * chunks of versions the restore rolled back stay inactive in the index.
 */
public final class EmbeddedIngestion implements IngestionControl {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedIngestion.class);
    private static final List<String> GROUPS = List.of(IngestNode.APPLICATION_ID, EmbeddingWorkerConfig.DEFAULT_GROUP,
            LifecycleStarter.GROUP_ID);
    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(90);

    private final Admin admin;
    private final ConsumerNodes nodes;
    private final SearchNode search;
    private final StateReconciler reconciler;
    private volatile boolean paused;
    private Map<TopicPartition, Long> lifecycleAtPause;

    public EmbeddedIngestion(Admin admin, String bootstrapServers, DataSource metadata, ConsumerNodes nodes,
                             SearchNode search) {
        this.admin = admin;
        this.nodes = nodes;
        this.search = search;
        this.reconciler = new StateReconciler(bootstrapServers, metadata);
    }

    @Override
    public synchronized void pause(String reason) {
        if (!paused) {
            log.info("pausing ingestion: {}", reason);
            lifecycleAtPause = committed(LifecycleStarter.GROUP_ID);
            paused = true; // before stopping: a pause that fails half-way is still undone by resume
        }
        nodes.stop();
        search.pauseIndexer();
        awaitGroupsEmpty();
    }

    @Override
    public synchronized void resume() {
        if (!paused) {
            return;
        }
        Map<TopicPartition, Long> lifecycle = committed(LifecycleStarter.GROUP_ID);
        if (!lifecycle.equals(lifecycleAtPause)) {
            skipToEnd(LifecycleStarter.GROUP_ID, lifecycle.keySet());
        }
        reconciler.reconcile();
        search.resumeIndexer();
        nodes.start();
        paused = false;
        log.info("ingestion resumed");
    }

    @Override
    public boolean paused() {
        return paused;
    }

    private void awaitGroupsEmpty() {
        long deadline = System.nanoTime() + LEAVE_TIMEOUT.toNanos();
        while (true) {
            Map<String, Integer> members = new HashMap<>();
            var described = admin.describeConsumerGroups(GROUPS).describedGroups();
            for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<ConsumerGroupDescription>> e : described.entrySet()) {
                try {
                    members.put(e.getKey(), e.getValue().get(30, TimeUnit.SECONDS).members().size());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) {
                        throw new IllegalStateException("cannot describe group " + e.getKey() + ": " + ex.getMessage(), ex);
                    }
                    // a group that never had members: nothing to leave
                } catch (TimeoutException ex) {
                    throw new IllegalStateException("cannot describe group " + e.getKey() + ": " + ex.getMessage(), ex);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", ex);
                }
            }
            members.values().removeIf(n -> n == 0);
            if (members.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("consumer groups still have members after " + LEAVE_TIMEOUT + ": " + members);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(200); // waiting for the broker to see the members leave
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private Map<TopicPartition, Long> committed(String group) {
        try {
            Map<TopicPartition, Long> out = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((tp, om) -> {
                        if (om != null) {
                            out.put(tp, om.offset());
                        }
                    });
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                return Map.of();
            }
            throw new IllegalStateException("cannot read the offsets of " + group + ": " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot read the offsets of " + group + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void skipToEnd(String group, Set<TopicPartition> partitions) {
        try {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(Topics.LIFECYCLE)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(Topics.LIFECYCLE).partitions()
                    .forEach(p -> latest.put(new TopicPartition(Topics.LIFECYCLE, p.partition()), OffsetSpec.latest()));
            partitions.forEach(tp -> latest.putIfAbsent(tp, OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            ends.forEach((tp, info) -> offsets.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(group, offsets).all().get(30, TimeUnit.SECONDS);
            log.info("a restore rewound {}: moved it to the end of {} ({}), since the restored metadata already "
                    + "reflects or deliberately drops those events", group, Topics.LIFECYCLE, offsets);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot move " + group + " to the end: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
