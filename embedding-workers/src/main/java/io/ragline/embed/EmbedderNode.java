package io.ragline.embed;

import io.micrometer.core.instrument.MeterRegistry;
import io.ragline.core.model.Embedder;
import io.ragline.core.runtime.Health;
import io.ragline.core.runtime.Resources;
import java.time.Duration;

/** One embedding worker and the scaling metrics of its group. */
public final class EmbedderNode implements AutoCloseable {
    private final Resources resources = new Resources();
    private final ScalingMetrics scaling;
    private final EmbeddingWorker worker;

    public EmbedderNode(String bootstrapServers, Embedder embedder, String instanceId, int maxBatch,
                        MeterRegistry registry) {
        try {
            scaling = resources.add(new ScalingMetrics(bootstrapServers, EmbeddingWorkerConfig.DEFAULT_GROUP, registry));
            worker = resources.background("ragline-embedding-worker-" + instanceId, new EmbeddingWorker(
                    new EmbeddingWorkerConfig(bootstrapServers, EmbeddingWorkerConfig.DEFAULT_GROUP, instanceId, maxBatch,
                            Duration.ofMillis(50)), embedder, registry));
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    public ScalingMetrics scaling() {
        return scaling;
    }

    /** Ready while its worker consumes (see {@link EmbeddingWorker#health()}); {@code /health/ready} of the embedder role. */
    public Health health() {
        return worker.health();
    }

    /** Fault injection: the worker dies as in a crash (see {@link EmbeddingWorker#kill()}), then the node closes. */
    public void kill() {
        worker.kill();
        resources.close();
    }

    /** Finishes the batch in flight, commits it, and stops. */
    @Override
    public void close() {
        resources.close();
    }
}
