package io.ragline.ingest.lifecycle;

import io.ragline.core.runtime.Resources;
import io.ragline.core.store.IndexProbe;
import io.ragline.core.store.MetadataStore;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.util.concurrent.TimeUnit;

/**
 * The document lifecycle: Temporal workers for {@link IndexDocumentWorkflow} and the starter that
 * turns {@code ragline.lifecycle} events into workflows (after resuming those in flight).
 */
public final class LifecycleNode implements AutoCloseable {
    private final Resources resources = new Resources();

    public LifecycleNode(String bootstrapServers, WorkflowClient client, MetadataStore metadata, IndexProbe index,
                         LifecycleSettings settings) {
        try {
            KafkaStatePublisher publisher = resources.add(new KafkaStatePublisher(bootstrapServers));
            WorkerFactory factory = WorkerFactory.newInstance(client);
            Worker worker = factory.newWorker(IndexDocumentWorkflow.TASK_QUEUE);
            worker.registerWorkflowImplementationFactory(IndexDocumentWorkflow.class,
                    () -> new IndexDocumentWorkflowImpl(settings));
            worker.registerActivitiesImplementations(new DocumentLifecycleActivitiesImpl(metadata, index, publisher));
            factory.start();
            resources.add(() -> {
                factory.shutdown();
                factory.awaitTermination(10, TimeUnit.SECONDS);
            });
            LifecycleStarter starter = new LifecycleStarter(bootstrapServers, client, metadata);
            starter.reconcile();
            resources.background("ragline-lifecycle-starter", starter);
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    @Override
    public void close() {
        resources.close();
    }
}
