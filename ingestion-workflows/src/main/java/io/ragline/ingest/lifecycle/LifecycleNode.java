package io.ragline.ingest.lifecycle;

import io.micrometer.core.instrument.MeterRegistry;
import io.ragline.core.generation.GenerationLog;
import io.ragline.core.generation.GenerationProbe;
import io.ragline.core.runtime.Health;
import io.ragline.core.runtime.Resources;
import io.ragline.ingest.reindex.ChunkRepublisher;
import io.ragline.ingest.reindex.ReindexActivitiesImpl;
import io.ragline.ingest.reindex.ReindexSettings;
import io.ragline.ingest.reindex.ReindexWorkflow;
import io.ragline.ingest.reindex.ReindexWorkflowImpl;
import io.ragline.core.store.IndexProbe;
import io.ragline.core.store.MetadataStore;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.util.concurrent.TimeUnit;

/**
 * The document lifecycle: Temporal workers for {@link IndexDocumentWorkflow} (and for
 * {@link ReindexWorkflow}, given a replica to watch) and the starter that turns
 * {@code ragline.lifecycle} events into workflows (after resuming those in flight).
 */
public final class LifecycleNode implements AutoCloseable {
    private static final int MAX_CONCURRENT_ACTIVITIES = 10_000;
    private final Resources resources = new Resources();
    private final WorkerFactory factory;
    private final LifecycleStarter starter;

    public LifecycleNode(String bootstrapServers, WorkflowClient client, MetadataStore metadata, IndexProbe index,
                         LifecycleSettings settings, MeterRegistry registry) {
        this(bootstrapServers, client, metadata, index, settings, null, ReindexSettings.defaults(), registry);
    }

    /** @param generations the search replica a re-index watches; null: no {@link ReindexWorkflow} worker */
    public LifecycleNode(String bootstrapServers, WorkflowClient client, MetadataStore metadata, IndexProbe index,
                         LifecycleSettings settings, GenerationProbe generations, ReindexSettings reindex,
                         MeterRegistry registry) {
        this(bootstrapServers, client, metadata, index, settings, generations, reindex, registry, true);
    }

    /**
     * @param sticky whether workflow tasks go to this worker's sticky queue (cached, no replays). Off
     *               only against the Temporal test server, which never reroutes the sticky tasks of a
     *               worker that died ({@code kill -9}) to the normal queue, so its workflows would stall.
     */
    public LifecycleNode(String bootstrapServers, WorkflowClient client, MetadataStore metadata, IndexProbe index,
                         LifecycleSettings settings, GenerationProbe generations, ReindexSettings reindex,
                         MeterRegistry registry, boolean sticky) {
        try {
            KafkaStatePublisher publisher = resources.add(new KafkaStatePublisher(bootstrapServers));
            ChunkRedriver redriver = resources.add(new ChunkRedriver(bootstrapServers));
            // one open workflow per version in flight, thousands during a bulk load: keep them all
            // cached (no replays) on cheap virtual threads
            factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder()
                    .setUsingVirtualWorkflowThreads(true)
                    .setWorkflowCacheSize(MAX_CONCURRENT_ACTIVITIES)
                    .setMaxWorkflowThreadCount(MAX_CONCURRENT_ACTIVITIES)
                    .build());
            // every version in flight holds an activity while it waits for its chunks: waiting costs
            // nothing on a virtual thread, and too few slots would queue ready versions behind waiting ones
            Worker worker = factory.newWorker(IndexDocumentWorkflow.TASK_QUEUE, stickiness(WorkerOptions.newBuilder()
                    .setUsingVirtualThreadsOnActivityWorker(true)
                    .setMaxConcurrentActivityExecutionSize(MAX_CONCURRENT_ACTIVITIES), sticky)
                    .build());
            worker.registerWorkflowImplementationFactory(IndexDocumentWorkflow.class,
                    () -> new IndexDocumentWorkflowImpl(settings));
            worker.registerActivitiesImplementations(new DocumentLifecycleActivitiesImpl(metadata, index, publisher, redriver, registry));
            if (generations != null) {
                Worker reindexWorker = factory.newWorker(ReindexWorkflow.TASK_QUEUE,
                        stickiness(WorkerOptions.newBuilder(), sticky).build());
                reindexWorker.registerWorkflowImplementationFactory(ReindexWorkflow.class,
                        () -> new ReindexWorkflowImpl(reindex));
                reindexWorker.registerActivitiesImplementations(new ReindexActivitiesImpl(
                        resources.add(new GenerationLog(bootstrapServers)),
                        resources.add(new ChunkRepublisher(bootstrapServers, metadata)), metadata, generations));
            }
            factory.start();
            resources.add(() -> {
                factory.shutdown();
                factory.awaitTermination(10, TimeUnit.SECONDS);
            });
            starter = new LifecycleStarter(bootstrapServers, client, metadata);
            starter.reconcile();
            resources.background("ragline-lifecycle-starter", starter);
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    /**
     * Ready while the Temporal workers run (their factory started and not shut down) and the
     * starter consumes {@code ragline.lifecycle} (see {@link LifecycleStarter#health()}); {@code
     * /health/ready} of the workflows role.
     */
    public Health health() {
        if (!factory.isStarted() || factory.isShutdown() || factory.isTerminated()) {
            return Health.notReady("the lifecycle workers (Temporal worker factory) are not running");
        }
        return starter.health();
    }

    @Override
    public void close() {
        resources.close();
    }

    /** A zero sticky schedule-to-start timeout makes the SDK ask for no sticky queue at all. */
    public static WorkerOptions.Builder stickiness(WorkerOptions.Builder options, boolean sticky) {
        return sticky ? options : options.setStickyQueueScheduleToStartTimeout(java.time.Duration.ZERO);
    }
}
