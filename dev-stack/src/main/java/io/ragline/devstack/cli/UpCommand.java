package io.ragline.devstack.cli;

import io.ragline.devstack.EmbeddedPlatform;
import io.ragline.devstack.PlatformSettings;
import io.ragline.devstack.distributed.DistributedPlatform;
import io.ragline.devstack.distributed.DistributedSettings;
import io.ragline.devstack.serve.ServiceRoles;
import io.ragline.search.index.Fusion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Run the whole platform embedded in this JVM: Kafka (KRaft), the Temporal test server, "
                + "PostgreSQL, the ingest topology, an embedding worker, the indexer and the search API.",
                "Every option can also be set by the environment variable shown in its description."})
final class UpCommand implements Runnable {
    @Option(names = "--data-dir", defaultValue = "${env:RAGLINE_DATA_DIR:-./data}",
            description = "Where all state lives; a second start continues from it (RAGLINE_DATA_DIR, default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--host", defaultValue = "${env:RAGLINE_HOST:-127.0.0.1}",
            description = "Interface the search API and Kafka listen on (RAGLINE_HOST, default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--http-port", defaultValue = "${env:RAGLINE_HTTP_PORT:-8080}",
            description = "Search API port (RAGLINE_HTTP_PORT, default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--kafka-port", defaultValue = "${env:RAGLINE_KAFKA_PORT:-9092}",
            description = "Kafka broker port (RAGLINE_KAFKA_PORT, default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--kafka-controller-port", defaultValue = "${env:RAGLINE_KAFKA_CONTROLLER_PORT:-9093}",
            description = "Kafka KRaft controller port (RAGLINE_KAFKA_CONTROLLER_PORT, default: ${DEFAULT-VALUE}).")
    int kafkaControllerPort;

    @Option(names = "--temporal-port", defaultValue = "${env:RAGLINE_TEMPORAL_PORT:-7233}",
            description = "Temporal test server gRPC port (RAGLINE_TEMPORAL_PORT, default: ${DEFAULT-VALUE}).")
    int temporalPort;

    @Option(names = "--postgres-port", defaultValue = "${env:RAGLINE_POSTGRES_PORT:-15432}",
            description = "Embedded PostgreSQL port (RAGLINE_POSTGRES_PORT, default: ${DEFAULT-VALUE}).")
    int postgresPort;

    @Option(names = "--partitions", defaultValue = "${env:RAGLINE_PARTITIONS:-3}",
            description = "Partitions of topics created on first start (RAGLINE_PARTITIONS, default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--embed-threads", defaultValue = "${env:RAGLINE_EMBED_THREADS:-2}",
            description = "ONNX Runtime intra-op threads of the embedding model (RAGLINE_EMBED_THREADS, default: ${DEFAULT-VALUE}).")
    int embedThreads;

    @Option(names = "--embed-batch", defaultValue = "${env:RAGLINE_EMBED_BATCH:-8}",
            description = "Chunks per embedding transaction at most (RAGLINE_EMBED_BATCH, default: ${DEFAULT-VALUE}).")
    int embedBatch;

    @Option(names = "--index-timeout", defaultValue = "${env:RAGLINE_INDEX_TIMEOUT:-PT30M}",
            description = "How long a document version may take to be indexed before it is FAILED, ISO-8601 "
                    + "(RAGLINE_INDEX_TIMEOUT, default: ${DEFAULT-VALUE}).")
    Duration indexTimeout;

    @Option(names = "--model-dir", defaultValue = "${env:RAGLINE_MODEL_DIR}",
            description = "Directory with a custom ONNX embedding model: the ONNX file, tokenizer.json and "
                    + "ragline-model.json (RAGLINE_MODEL_DIR; default: the bundled bge-small-en-v1.5).")
    Path modelDir;

    @Option(names = "--rrf-k", defaultValue = "${env:RAGLINE_RRF_K:-60}",
            description = "Hybrid search: reciprocal rank fusion constant (RAGLINE_RRF_K, default: ${DEFAULT-VALUE}).")
    int rrfK;

    @Option(names = "--rrf-keyword-weight", defaultValue = "${env:RAGLINE_RRF_KEYWORD_WEIGHT:-1.0}",
            description = "Hybrid search: weight of BM25 (RAGLINE_RRF_KEYWORD_WEIGHT, default: ${DEFAULT-VALUE}).")
    double keywordWeight;

    @Option(names = "--rrf-vector-weight", defaultValue = "${env:RAGLINE_RRF_VECTOR_WEIGHT:-1.0}",
            description = "Hybrid search: weight of vectors (RAGLINE_RRF_VECTOR_WEIGHT, default: ${DEFAULT-VALUE}).")
    double vectorWeight;

    @Option(names = "--vector-format", defaultValue = "${env:RAGLINE_VECTOR_FORMAT:-int8}",
            description = "How vectors are stored: int8 (quantised) or float; fixed when the index is created "
                    + "(RAGLINE_VECTOR_FORMAT, default: ${DEFAULT-VALUE}).")
    String vectorFormat;

    @Option(names = "--distributed", description = {"Run the distributed form on this machine instead: the engines "
            + "(Kafka, Temporal test server, PostgreSQL, S3Proxy, Prometheus and the blackbox exporter when on the PATH), "
            + "then every role (ragline serve ingest|embedder|search|workflows) as its own OS process with the "
            + "environment docker-compose.yml gives it, restarted by a supervisor when it exits.",
            "State in <data-dir>/distributed; role logs in <data-dir>/distributed/logs; PIDs in <data-dir>/distributed/roles.json."})
    boolean distributed;

    @Option(names = "--embedders", defaultValue = "2", description = "--distributed: embedding worker processes (default: ${DEFAULT-VALUE}).")
    int embedders;

    @Option(names = "--search-replicas", defaultValue = "2",
            description = "--distributed: search replicas, the first on --http-port, the next on the ports after it (default: ${DEFAULT-VALUE}).")
    int searchReplicas;

    @Option(names = "--ingest-processes", defaultValue = "1", description = "--distributed: ingest topology processes (default: ${DEFAULT-VALUE}).")
    int ingests;

    @Option(names = "--workflows-processes", defaultValue = "1", description = "--distributed: workflows processes (default: ${DEFAULT-VALUE}).")
    int workflows;

    @Option(names = "--role-port-base", defaultValue = "8090",
            description = "--distributed: health and metrics ports of ingest, embedders and workflows count up from here (default: ${DEFAULT-VALUE}).")
    int rolePortBase;

    @Option(names = "--s3-port", defaultValue = "9000", description = "--distributed: S3Proxy port (default: ${DEFAULT-VALUE}).")
    int s3Port;

    @Option(names = "--prometheus-port", defaultValue = "9090", description = "--distributed: Prometheus port (default: ${DEFAULT-VALUE}).")
    int prometheusPort;

    @Option(names = "--blackbox-port", defaultValue = "9115", description = "--distributed: blackbox exporter port (default: ${DEFAULT-VALUE}).")
    int blackboxPort;

    @Option(names = "--node-exporter-port", defaultValue = "9100", description = "--distributed: node exporter port (default: ${DEFAULT-VALUE}).")
    int nodeExporterPort;

    @Option(names = "--role-env", paramLabel = "PROCESS:VARIABLE=VALUE",
            description = {"--distributed: sets a variable on one role process on top of compose's environment; repeatable.",
                    "E.g. search-2:RAGLINE_FAULT_HTTP_ERROR_RATE=0.5 makes replica search-2 (pod ragline-search-1) a bad "
                            + "canary that answers half its /v1 requests with 503 (a test and chaos facility)."})
    java.util.List<String> roleEnv = new java.util.ArrayList<>();

    @Option(names = "--scrape-interval", defaultValue = "PT15S",
            description = "--distributed: Prometheus scrape and rule evaluation interval, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration scrapeInterval;

    @Override
    public void run() {
        LogFormat.role(distributed ? "up-distributed" : "up");
        if (distributed) {
            runDistributed();
            return;
        }
        PlatformSettings settings = new PlatformSettings(dataDir, host, kafkaPort, kafkaControllerPort, temporalPort,
                postgresPort, httpPort, partitions, embedThreads, embedBatch, indexTimeout, modelDir,
                new Fusion(rrfK, keywordWeight, vectorWeight),
                ServiceRoles.vectorFormat(java.util.Map.of("RAGLINE_VECTOR_FORMAT", vectorFormat)));
        EmbeddedPlatform platform = EmbeddedPlatform.start(settings, System.out);
        awaitShutdown(platform);
    }

    private void runDistributed() {
        DistributedSettings settings = new DistributedSettings(dataDir, kafkaPort, kafkaControllerPort, temporalPort,
                postgresPort, s3Port, prometheusPort, blackboxPort, nodeExporterPort, httpPort, rolePortBase, ingests, embedders,
                searchReplicas, workflows, scrapeInterval, DistributedSettings.parseRoleEnv(roleEnv));
        awaitShutdown(DistributedPlatform.start(settings, System.out));
    }

    private static void awaitShutdown(AutoCloseable platform) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println(" stopping ragline...");
            try {
                platform.close();
            } catch (Exception e) {
                System.out.println(" stopping failed: " + e);
            }
            System.out.println(" ragline stopped.");
            stopped.countDown();
        }, "ragline-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
