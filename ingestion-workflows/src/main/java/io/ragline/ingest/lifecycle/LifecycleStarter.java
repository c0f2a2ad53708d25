package io.ragline.ingest.lifecycle;

import io.ragline.core.runtime.Resources;
import io.ragline.core.Topics;
import io.ragline.core.event.LifecycleEvent;
import io.ragline.core.json.Json;
import io.ragline.core.runtime.ConsumerLoopHealth;
import io.ragline.core.runtime.Health;
import io.ragline.core.store.IngestionPausedException;
import io.ragline.core.store.MetadataStore;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one {@link IndexDocumentWorkflow} per event on {@code ragline.lifecycle}. Each version is
 * recorded in the metadata store before its offset is committed, so that {@link #reconcile()}
 * can start again whatever a restart (of the Temporal test server, which keeps no history) lost.
 */
public final class LifecycleStarter implements Resources.Loop {
    private static final Logger log = LoggerFactory.getLogger(LifecycleStarter.class);
    public static final String GROUP_ID = "ragline-lifecycle";

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final WorkflowClient client;
    private final MetadataStore metadata;
    private static final Duration PAUSED_RETRY = Duration.ofSeconds(1);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private boolean holding;
    /** Longer without a poll and the group drops the member anyway (the consumer's max.poll.interval.ms default). */
    private final ConsumerLoopHealth health = new ConsumerLoopHealth("the lifecycle starter", GROUP_ID, Topics.LIFECYCLE);

    public LifecycleStarter(String bootstrapServers, WorkflowClient client, MetadataStore metadata) {
        this.client = client;
        this.metadata = metadata;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // as the embedders and the ingest topology: a killed member's partitions move on after
                // 10 s, not the default 45 s (kill -9 recovery went from 45 s to about 15 s)
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.CLIENT_ID_CONFIG, "ragline-lifecycle-starter"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Starts the lifecycle of every version the metadata store still has in flight. */
    public int reconcile() {
        List<LifecycleEvent> pending = metadata.pendingVersions();
        pending.forEach(this::start);
        if (!pending.isEmpty()) {
            log.info("resumed {} document lifecycles still in flight", pending.size());
        }
        return pending.size();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(Topics.LIFECYCLE), health);
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                health.polled();
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                IngestionPausedException paused = null;
                for (TopicPartition tp : records.partitions()) {
                    for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                        try {
                            handle(record);
                            done.put(tp, new OffsetAndMetadata(record.offset() + 1));
                        } catch (IngestionPausedException e) {
                            paused = e;
                            break;
                        }
                    }
                    if (paused != null) {
                        break;
                    }
                }
                if (!done.isEmpty()) {
                    consumer.commitSync(done);
                }
                if (paused != null) {
                    holdWhilePaused(records, done, paused);
                } else if (holding && !records.isEmpty()) {
                    holding = false;
                    log.info("the ingestion pause ended: {} goes on", Topics.LIFECYCLE);
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                health.crashed(e);
                throw e;
            }
        } catch (RuntimeException | Error e) {
            health.crashed(e);
            throw e;
        } finally {
            health.stopped();
            consumer.close();
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        LifecycleEvent event = Json.read(record.value(), LifecycleEvent.class);
        if (event.op() == LifecycleEvent.LifecycleOp.INDEX) {
            metadata.recordChunked(event);
        } else {
            metadata.recordDeleteRequested(event.tenant(), event.documentId(), event.version());
        }
        start(event);
    }

    /**
     * A restore holds the metadata: the records not handled yet are read again on the next polls
     * (the consumer stays in its group, and readiness holds), once a second, until the pause ends.
     */
    private void holdWhilePaused(ConsumerRecords<byte[], byte[]> records, Map<TopicPartition, OffsetAndMetadata> done,
                                 IngestionPausedException paused) {
        if (!holding) {
            log.info("holding {} until the pause ends: {}", Topics.LIFECYCLE, paused.getMessage());
            holding = true;
        }
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, done.containsKey(tp) ? done.get(tp).offset() : records.records(tp).getFirst().offset());
        }
        try {
            Thread.sleep(PAUSED_RETRY.toMillis()); // a backoff, not a synchronisation: the pause lasts minutes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    /** Ready while its loop runs, its consumer is in group {@value #GROUP_ID} and polled lately; otherwise the reason. */
    public Health health() {
        return health.health(running.get());
    }

    private void start(LifecycleEvent event) {
        IndexDocumentWorkflow workflow = client.newWorkflowStub(IndexDocumentWorkflow.class, WorkflowOptions.newBuilder()
                .setTaskQueue(IndexDocumentWorkflow.TASK_QUEUE)
                .setWorkflowId(IndexDocumentWorkflow.workflowId(event.tenant(), event.documentId(), event.version()))
                // a redelivered event must neither start a twin nor re-run a finished lifecycle
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .build());
        try {
            WorkflowClient.start(workflow::run, event);
        } catch (WorkflowExecutionAlreadyStarted alreadyStarted) {
            log.debug("lifecycle of {} v{} already started", event.documentKey(), event.version());
        }
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}
