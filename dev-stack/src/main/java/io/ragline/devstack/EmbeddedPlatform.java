package io.ragline.devstack;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ragline.core.model.Embedder;
import io.ragline.core.model.OnnxEmbedder;
import io.ragline.core.store.Database;
import io.ragline.core.store.MetadataStore;
import io.ragline.embed.EmbeddingWorker;
import io.ragline.embed.EmbeddingWorkerConfig;
import io.ragline.ingest.lifecycle.DocumentLifecycleActivitiesImpl;
import io.ragline.ingest.lifecycle.IndexDocumentWorkflow;
import io.ragline.ingest.lifecycle.IndexDocumentWorkflowImpl;
import io.ragline.ingest.lifecycle.KafkaStatePublisher;
import io.ragline.ingest.lifecycle.LifecycleSettings;
import io.ragline.ingest.lifecycle.LifecycleStarter;
import io.ragline.ingest.topology.IngestConfig;
import io.ragline.ingest.topology.IngestTopology;
import io.ragline.search.api.SearchApi;
import io.ragline.search.index.DlqTail;
import io.ragline.search.index.Indexer;
import io.ragline.search.index.LuceneIndex;
import io.ragline.search.service.SearchService;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole platform in one JVM: Kafka broker, Temporal test server, PostgreSQL, the ingest
 * topology, an embedding worker, the indexer with its Lucene index, the lifecycle workers and the
 * search API, started in data-flow order and stopped in reverse. All state lives under one data
 * directory, so a second start continues where the first stopped.
 */
public final class EmbeddedPlatform implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPlatform.class);
    public static final String INGEST_APPLICATION_ID = "ragline-ingest";

    private final PlatformSettings settings;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private EmbeddedKafka kafka;
    private KafkaStreams streams;
    private LuceneIndex index;
    private MetadataStore metadata;
    private SearchApi api;
    private Embedder embedder;

    private EmbeddedPlatform(PlatformSettings settings) {
        this.settings = settings;
    }

    /** Starts everything, printing progress to {@code out}; on failure stops what had started. */
    public static EmbeddedPlatform start(PlatformSettings settings, PrintStream out) {
        EmbeddedPlatform platform = new EmbeddedPlatform(settings);
        try {
            platform.startAll(out);
            return platform;
        } catch (RuntimeException | IOException e) {
            platform.close();
            throw e instanceof RuntimeException re ? re : new UncheckedIOException((IOException) e);
        }
    }

    private void startAll(PrintStream out) throws IOException {
        long t0 = System.nanoTime();
        Path data = settings.dataDir().toAbsolutePath().normalize();
        Files.createDirectories(data);
        lockDataDir(data);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        toClose.push(gc);

        step(out, t0, "Kafka broker (KRaft)");
        kafka = EmbeddedKafka.start(data.resolve("kafka"), settings.kafkaPort(), settings.kafkaControllerPort());
        toClose.push(kafka);
        String bootstrap = kafka.bootstrapServers();
        TopicSetup.ensure(bootstrap, settings.partitions());

        step(out, t0, "Temporal test server");
        EmbeddedTemporal temporal = EmbeddedTemporal.start(settings.temporalPort());
        toClose.push(temporal);
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newConnectedServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build(), Duration.ofSeconds(30));
        toClose.push(() -> {
            stubs.shutdown();
            stubs.awaitTermination(5, TimeUnit.SECONDS);
        });
        WorkflowClient client = WorkflowClient.newInstance(stubs,
                WorkflowClientOptions.newBuilder().setNamespace("default").build());

        step(out, t0, "PostgreSQL (schema by Flyway)");
        EmbeddedPostgres postgres = EmbeddedPostgres.start(data.resolve("postgres"), settings.postgresPort());
        toClose.push(postgres);
        HikariDataSource dataSource = Database.open(postgres.jdbcUrl(), postgres.user(), postgres.password(), 8);
        toClose.push(dataSource);
        metadata = new MetadataStore(dataSource);

        step(out, t0, "ingest topology (Kafka Streams, exactly-once)");
        streams = new KafkaStreams(IngestTopology.build(IngestConfig.defaults()), streamsProperties(bootstrap, data));
        // leave the group on close, so that the next start need not wait out the old member's session
        toClose.push(() -> streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)));
        streams.start();

        step(out, t0, "embedding model (bge-small-en-v1.5, DJL + ONNX Runtime)");
        embedder = OnnxEmbedder.bundled(data.resolve("models"), settings.embedThreads());
        toClose.push(embedder);
        EmbeddingWorker worker = new EmbeddingWorker(new EmbeddingWorkerConfig(bootstrap,
                EmbeddingWorkerConfig.DEFAULT_GROUP, "embedded-1", settings.embedBatch(), Duration.ofMillis(50)),
                embedder, registry);
        background("ragline-embedding-worker", worker);

        step(out, t0, "Lucene index and indexer");
        index = new LuceneIndex(data.resolve("index"));
        toClose.push(index);
        background("ragline-indexer", new Indexer(bootstrap, index, registry));
        DlqTail dlq = new DlqTail(bootstrap, registry);
        background("ragline-dlq-tail", dlq);

        step(out, t0, "document lifecycle workers (Temporal)");
        KafkaStatePublisher publisher = new KafkaStatePublisher(bootstrap);
        toClose.push(publisher);
        WorkerFactory factory = WorkerFactory.newInstance(client);
        Worker lifecycleWorker = factory.newWorker(IndexDocumentWorkflow.TASK_QUEUE);
        LifecycleSettings lifecycle = new LifecycleSettings(settings.indexTimeout(), Duration.ofSeconds(10));
        lifecycleWorker.registerWorkflowImplementationFactory(IndexDocumentWorkflow.class,
                () -> new IndexDocumentWorkflowImpl(lifecycle));
        lifecycleWorker.registerActivitiesImplementations(new DocumentLifecycleActivitiesImpl(metadata, index, publisher));
        factory.start();
        toClose.push(() -> {
            factory.shutdown();
            factory.awaitTermination(10, TimeUnit.SECONDS);
        });
        LifecycleStarter starter = new LifecycleStarter(bootstrap, client, metadata);
        starter.reconcile();
        background("ragline-lifecycle-starter", starter);

        step(out, t0, "search API");
        api = new SearchApi(new SearchService(index, embedder, registry), metadata, dlq::count,
                () -> streams.state() == KafkaStreams.State.RUNNING, registry).start(settings.host(), settings.httpPort());
        toClose.push(api);
        awaitStreamsRunning();

        out.printf("%n ragline is up in %.1f s. Data: %s%n%n", (System.nanoTime() - t0) / 1e9, data);
        out.printf("   %-22s %s%n", "Search API", "http://" + settings.host() + ":" + api.port());
        out.printf("   %-22s %s%n", "Kafka bootstrap", bootstrap);
        out.printf("   %-22s %s%n", "Temporal (gRPC)", temporal.target());
        out.printf("   %-22s %s%n", "PostgreSQL", postgres.jdbcUrl());
        out.printf("   %-22s %s%n", "Metrics", "http://" + settings.host() + ":" + api.port() + "/metrics");
        out.printf("%n Try: ./ragline publish samples/   then   ./ragline search \"how does ragline keep versions atomic\"%n");
        out.println(" Ctrl-C stops everything cleanly.");
        out.flush();
    }

    private Properties streamsProperties(String bootstrap, Path data) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, INGEST_APPLICATION_ID);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        p.put(StreamsConfig.STATE_DIR_CONFIG, data.resolve("streams").toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put("processing.exception.handler.global.enabled", true); // the 5.0 default; silences a warning
        // after a crash (no clean leave) a restart waits for the dead member's session to expire
        p.put(StreamsConfig.mainConsumerPrefix(org.apache.kafka.clients.consumer.ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        return p;
    }

    private void awaitStreamsRunning() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || System.nanoTime() > deadline) {
                throw new IllegalStateException("the ingest topology did not reach RUNNING (state " + streams.state() + ")");
            }
            try {
                Thread.sleep(50); // polling a state transition, not synchronising a test
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for the ingest topology", e);
            }
        }
    }

    private void background(String name, Runnable task) {
        Thread thread = Thread.ofPlatform().name(name).daemon(false).start(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("{} stopped on an error", name, e);
            }
        });
        toClose.push(() -> {
            ((AutoCloseable) task).close();
            thread.join(TimeUnit.SECONDS.toMillis(30));
        });
    }

    private void lockDataDir(Path data) throws IOException {
        FileChannel channel = FileChannel.open(data.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("another ragline is running on " + data + "; stop it or pass --data-dir");
        }
        toClose.push(() -> {
            lock.release();
            channel.close();
        });
    }

    private static void step(PrintStream out, long t0, String what) {
        out.printf(" [%5.1fs] starting %s%n", (System.nanoTime() - t0) / 1e9, what);
        out.flush();
    }

    public int httpPort() {
        return api.port();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public MetadataStore metadata() {
        return metadata;
    }

    public LuceneIndex index() {
        return index;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Stops everything in reverse start order; each part's failure is logged, not fatal. */
    @Override
    public synchronized void close() {
        while (!toClose.isEmpty()) {
            AutoCloseable next = toClose.pop();
            try {
                next.close();
            } catch (Exception e) {
                log.warn("error while stopping {}", next, e);
            }
        }
    }
}
