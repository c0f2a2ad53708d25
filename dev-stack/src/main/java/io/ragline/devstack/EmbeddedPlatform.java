package io.ragline.devstack;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ragline.core.model.Embedder;
import io.ragline.core.model.ModelTokenizer;
import io.ragline.core.runtime.Resources;
import io.ragline.core.store.ApiKeyStore;
import io.ragline.core.store.Database;
import io.ragline.core.store.MetadataStore;
import io.ragline.devstack.serve.Metrics;
import io.ragline.devstack.serve.Models;
import io.ragline.devstack.serve.Temporal;
import io.ragline.devstack.ops.ConsumerNodes;
import io.ragline.devstack.ops.OpsRuntime;
import io.ragline.devstack.ops.OpsSettings;
import io.ragline.ops.OpsResources;
import io.ragline.embed.EmbedderNode;
import io.ragline.ingest.IngestNode;
import io.ragline.ingest.lifecycle.LifecycleNode;
import io.ragline.ingest.lifecycle.LifecycleSettings;
import io.ragline.ingest.reindex.ReindexSettings;
import io.ragline.ingest.topology.IngestConfig;
import io.ragline.search.SearchNode;
import io.ragline.search.index.LuceneIndex;
import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The whole platform in one JVM: Kafka broker, Temporal test server, PostgreSQL, then the same
 * nodes the distributed services run (ingest topology, embedding worker, search replica,
 * lifecycle workers), started in data-flow order and stopped in reverse. All state lives under
 * one data directory, so a second start continues where the first stopped.
 */
public final class EmbeddedPlatform implements AutoCloseable {
    public static final String INGEST_APPLICATION_ID = IngestNode.APPLICATION_ID;

    private final PlatformSettings settings;
    private final Resources resources = new Resources();
    private final PrometheusMeterRegistry registry = Metrics.registry(resources);
    private EmbeddedKafka kafka;
    private volatile IngestNode ingest;
    private volatile EmbedderNode embedderNode;
    private volatile LifecycleNode lifecycle;
    private SearchNode search;
    private MetadataStore metadata;
    private String devApiKey;
    private ApiKeyStore apiKeys;
    private Path dataDir;

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
        resources.add(DataDirLock.acquire(data));

        step(out, t0, "Kafka broker (KRaft)");
        kafka = resources.add(EmbeddedKafka.start(data.resolve("kafka"), settings.kafkaPort(), settings.kafkaControllerPort()));
        String bootstrap = kafka.bootstrapServers();
        TopicSetup.ensure(bootstrap, settings.partitions(), 1);

        step(out, t0, "Temporal test server");
        EmbeddedTemporal temporal = resources.add(EmbeddedTemporal.start(settings.temporalPort()));
        WorkflowClient client = Temporal.connect(temporal.target(), "default", resources);

        step(out, t0, "PostgreSQL (schema by Flyway)");
        EmbeddedPostgres postgres = resources.add(EmbeddedPostgres.start(data.resolve("postgres"), settings.postgresPort()));
        HikariDataSource dataSource = resources.add(
                Database.open(postgres.jdbcUrl(), postgres.user(), postgres.password(), 8));
        metadata = new MetadataStore(dataSource);
        apiKeys = new ApiKeyStore(dataSource);
        dataDir = data;
        devApiKey = DevApiKey.ensure(apiKeys, data);

        step(out, t0, "ingest topology (Kafka Streams, exactly-once)");
        ModelTokenizer tokenizer = resources.add(Models.tokenizer(settings.modelDir(), data));
        ingest = resources.add(new IngestNode(bootstrap, data.resolve("streams"), 1, IngestConfig.defaults(), tokenizer));

        step(out, t0, "embedding model (" + (settings.modelDir() == null ? "bge-small-en-v1.5" : settings.modelDir())
                + ", DJL + ONNX Runtime)");
        Embedder embedder = resources.add(Models.load(settings.modelDir(), data, settings.embedThreads()));
        step(out, t0, "search replica: Lucene index, indexer, search API");
        search = resources.add(new SearchNode(bootstrap, data.resolve("index"), settings.host(), settings.httpPort(),
                dataSource, embedder, settings.fusion(), settings.vectorFormat(), registry,
                () -> ingest != null && ingest.running()));

        step(out, t0, "embedding worker");
        embedderNode = resources.add(new EmbedderNode(bootstrap, embedder, "embedded-1", settings.embedBatch(), registry));

        step(out, t0, "document lifecycle workers (Temporal)");
        LifecycleSettings lifecycleSettings = new LifecycleSettings(settings.indexTimeout(), Duration.ofSeconds(60));
        lifecycle = resources.add(new LifecycleNode(bootstrap, client, metadata, search.index(), lifecycleSettings,
                search.generations(), ReindexSettings.defaults(), registry));
        ingest.awaitRunning(Duration.ofSeconds(60));
        startOperations(out, t0, data, client, dataSource, tokenizer, embedder, lifecycleSettings);

        String api = "http://" + settings.host() + ":" + search.port();
        out.printf("%n ragline is up in %.1f s. Data: %s%n%n", (System.nanoTime() - t0) / 1e9, data);
        out.printf("   %-22s %s%n", "Search API", api);
        out.printf("   %-22s %s%n", "Kafka bootstrap", bootstrap);
        out.printf("   %-22s %s%n", "Temporal (gRPC)", temporal.target());
        out.printf("   %-22s %s%n", "PostgreSQL", postgres.jdbcUrl());
        out.printf("   %-22s %s%n", "Metrics", api + "/metrics");
        out.printf("   %-22s %s%n", "API key (development)", devApiKey);
        out.printf("   %-22s %s%n", "", "tenant default, every scope; kept in " + data.resolve(DevApiKey.FILE)
                + ", where the CLI finds it");
        out.printf("%n Try: ./ragline publish samples/   then   ./ragline search \"how are document versions activated\"%n");
        out.println(" Ctrl-C stops everything cleanly.");
        out.flush();
    }

    private static void step(PrintStream out, long t0, String what) {
        out.printf(" [%5.1fs] starting %s%n", (System.nanoTime() - t0) / 1e9, what);
        out.flush();
    }

    public int httpPort() {
        return search.port();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /**
     * The development key: tenant default, every scope. Checked on each call, because a restore
     * replaces the key table (a restored DR environment holds its primary's keys): a key that is
     * gone is replaced by a new one.
     */
    public synchronized String devApiKey() {
        devApiKey = DevApiKey.ensure(apiKeys, dataDir);
        return devApiKey;
    }

    public MetadataStore metadata() {
        return metadata;
    }

    public LuceneIndex index() {
        return search.index();
    }

    /** The search replica's index generations (a re-index builds and switches them). */
    public io.ragline.search.generation.GenerationalIndex generations() {
        return search.generations();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    // ---- operations (issue #6): backup, restore and disaster recovery on Temporal -----------------
    // The ops worker (task queue ragline-ops) acts on this platform's PostgreSQL, Kafka and index; a
    // restore pauses ingestion by closing the ingest topology, embedding worker and lifecycle workers
    // and creating them again (ConsumerNodes below), and stops the indexer around the index swap.

    private volatile OpsRuntime ops;
    private ConsumerNodes nodes;

    private void startOperations(PrintStream out, long t0, Path data, WorkflowClient client, HikariDataSource dataSource,
                                 ModelTokenizer tokenizer, Embedder embedder, LifecycleSettings lifecycleSettings) {
        step(out, t0, "operations worker (backup, restore, disaster recovery)");
        String bootstrap = kafka.bootstrapServers();
        nodes = new ConsumerNodes() {
            @Override
            public synchronized void stop() {
                LifecycleNode l = lifecycle;
                if (l != null) {
                    l.close();
                    lifecycle = null;
                }
                EmbedderNode e = embedderNode;
                if (e != null) {
                    e.close();
                    embedderNode = null;
                }
                IngestNode i = ingest;
                if (i != null) {
                    i.close();
                    ingest = null;
                }
            }

            @Override
            public synchronized void start() {
                if (ingest == null) {
                    ingest = new IngestNode(bootstrap, data.resolve("streams"), 1, IngestConfig.defaults(), tokenizer);
                }
                if (embedderNode == null) {
                    embedderNode = new EmbedderNode(bootstrap, embedder, "embedded-1", settings.embedBatch(), registry);
                }
                if (lifecycle == null) {
                    lifecycle = new LifecycleNode(bootstrap, client, metadata, search.index(), lifecycleSettings,
                            search.generations(), ReindexSettings.defaults(), registry);
                }
            }
        };
        // closes the nodes running at shutdown, which after a restore are not the ones registered above
        resources.add(nodes::stop);
        ops = resources.add(new OpsRuntime(OpsSettings.fromEnv(System.getenv(), data), settings, data, client,
                dataSource, bootstrap, search, nodes, registry, this::devApiKey));
    }

    /** The operations side: what its activities act on, and its DR environments. */
    public OpsRuntime operations() {
        return ops;
    }

    /** What this platform's ops activities act on (a DR target binds its restore worker to these). */
    public OpsResources opsResources() {
        return ops.resources();
    }

    // ---- end of operations ------------------------------------------------------------------------

    // ---- fault injection (issue #3): a node crashes mid-stream and its supervisor starts it again ----

    /** The embedding worker dies as in a crash: its open transaction is abandoned and nothing is committed. */
    public void killEmbeddingWorker() {
        synchronized (nodes) {
            EmbedderNode e = embedderNode;
            if (e != null) {
                embedderNode = null;
                e.kill();
            }
        }
    }

    /** Starts the embedding worker (and any other stopped consumer node) again. */
    public void restartEmbeddingWorker() {
        nodes.start();
    }

    /** The indexer dies as in a crash: no final commit, and what it wrote since its last commit is dropped. */
    public void killIndexer() {
        search.killIndexer();
    }

    /** Starts a new indexer, which resumes from the offsets stored in the index's last commit. */
    public void restartIndexer() {
        search.resumeIndexer();
    }

    /** Stops everything in reverse start order; each part's failure is logged, not fatal. */
    @Override
    public void close() {
        resources.close();
    }
}
