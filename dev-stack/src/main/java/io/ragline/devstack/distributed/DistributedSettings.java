package io.ragline.devstack.distributed;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@code ./ragline up --distributed} can be told. Engines listen on their usual ports; the
 * first search replica on {@code apiPort}, every other role process on a port counted up from
 * {@code rolePortBase} (search-2, ..., ingest, embedder-1, ..., workflows).
 *
 * @param dataDir         state lives in {@code <dataDir>/distributed}; the development key in {@code <dataDir>/dev-api-key}
 * @param scrapeInterval  Prometheus's scrape and rule evaluation interval
 */
public record DistributedSettings(Path dataDir, int kafkaPort, int kafkaControllerPort, int temporalPort,
                                  int postgresPort, int s3Port, int prometheusPort, int blackboxPort, int nodeExporterPort, int apiPort,
                                  int rolePortBase, int ingests, int embedders, int searchReplicas, int workflows,
                                  Duration scrapeInterval) {
    public DistributedSettings {
        require(ingests, "ingest processes", 0);
        require(embedders, "embedders", 0);
        require(searchReplicas, "search replicas", 1);
        require(workflows, "workflows processes", 0);
        if (searchReplicas > 9) {
            throw new IllegalArgumentException("at most 9 search replicas, was " + searchReplicas);
        }
    }

    private static void require(int count, String what, int min) {
        if (count < min || count > 32) {
            throw new IllegalArgumentException(what + " must be between " + min + " and 32, was " + count);
        }
    }

    public static DistributedSettings defaults(Path dataDir) {
        return new DistributedSettings(dataDir, 9092, 9093, 7233, 15432, 9000, 9090, 9115, 9100, 8080, 8090,
                1, 2, 2, 1, Duration.ofSeconds(15));
    }
}
