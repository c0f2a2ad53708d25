package io.ragline.devstack;

import io.ragline.search.index.Fusion;
import io.ragline.search.index.LuceneIndex;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the embedded platform can be told; the CLI maps flags and environment variables here.
 * {@code modelDir} null means the bundled bge-small-en-v1.5.
 */
public record PlatformSettings(
        Path dataDir,
        String host,
        int kafkaPort,
        int kafkaControllerPort,
        int temporalPort,
        int postgresPort,
        int httpPort,
        int partitions,
        int embedThreads,
        int embedBatch,
        Duration indexTimeout,
        Path modelDir,
        Fusion fusion,
        LuceneIndex.VectorFormat vectorFormat) {

    public static PlatformSettings defaults(Path dataDir) {
        return new PlatformSettings(dataDir, "127.0.0.1", 9092, 9093, 7233, 15432, 8080, 3, 2, 8,
                Duration.ofMinutes(30), null, Fusion.defaults(), LuceneIndex.VectorFormat.INT8);
    }

    /** Every port a free one (see {@link FreePorts}): for platforms started side by side, as tests and benchmarks do. */
    public PlatformSettings withFreePorts() {
        return withPorts(FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next());
    }

    public PlatformSettings withPorts(int kafka, int controller, int temporal, int postgres, int http) {
        return new PlatformSettings(dataDir, host, kafka, controller, temporal, postgres, http, partitions,
                embedThreads, embedBatch, indexTimeout, modelDir, fusion, vectorFormat);
    }
}
