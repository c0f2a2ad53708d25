package io.ragline.devstack.serve;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ragline.core.config.Env;
import io.ragline.core.model.Embedder;
import io.ragline.core.runtime.Health;
import io.ragline.core.runtime.Resources;
import io.ragline.core.store.Database;
import io.ragline.core.store.MetadataStore;
import io.ragline.devstack.TopicSetup;
import io.ragline.embed.EmbedderNode;
import io.ragline.ingest.IngestNode;
import io.ragline.ingest.lifecycle.HttpIndexProbe;
import io.ragline.ingest.reindex.HttpGenerationProbe;
import io.ragline.ingest.reindex.ReindexSettings;
import io.ragline.ingest.lifecycle.LifecycleNode;
import io.ragline.ingest.lifecycle.LifecycleSettings;
import io.ragline.ingest.topology.IngestConfig;
import io.ragline.search.SearchNode;
import io.ragline.search.StoreSelection;
import io.ragline.search.api.InjectedHttpFaults;
import io.ragline.search.index.Fusion;
import io.ragline.search.index.LuceneIndex;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The distributed services ({@code ragline serve <role>}): the same nodes as the embedded
 * platform, each configured only from the environment ({@link Env}) against external Kafka,
 * Temporal and PostgreSQL.
 */
public final class ServiceRoles {
    public enum Role { ingest, embedder, search, workflows }

    private ServiceRoles() {
    }

    /** Starts the role; everything it starts is added to {@code resources}. */
    public static void start(Role role, Map<String, String> env, Resources resources) {
        PrometheusMeterRegistry registry = Metrics.registry(resources);
        String bootstrap = Env.RAGLINE_KAFKA_BOOTSTRAP.get(env);
        String host = Env.RAGLINE_HOST.get(env);
        int port = Env.RAGLINE_HTTP_PORT.getInt(env);
        Path data = Path.of(Env.RAGLINE_DATA_DIR.get(env)).toAbsolutePath().normalize();
        switch (role) {
            case ingest -> {
                int rf = Env.RAGLINE_REPLICATION_FACTOR.getInt(env);
                TopicSetup.ensure(bootstrap, Env.RAGLINE_PARTITIONS.getInt(env), rf);
                IngestNode ingest = resources.add(new IngestNode(bootstrap, data.resolve("streams"), rf,
                        IngestConfig.defaults(), resources.add(Models.tokenizer(env, data))));
                resources.add(new HealthServer(host, port, registry, ingest::health, Map.of()));
            }
            case embedder -> {
                Embedder embedder = resources.add(Models.load(env, data));
                EmbedderNode node = resources.add(new EmbedderNode(bootstrap, embedder, instanceId(env),
                        Env.RAGLINE_EMBED_BATCH.getInt(env), registry));
                Map<String, Supplier<Object>> keda = Map.of("/keda/metrics", () -> node.scaling().snapshot());
                resources.add(new HealthServer(host, port, registry, node::health, keda));
            }
            case search -> {
                Embedder embedder = resources.add(Models.load(env, data));
                resources.add(new SearchNode(bootstrap, StoreSelection.fromEnv(env, data.resolve("index"), vectorFormat(env)),
                        host, port, database(role, env, resources), embedder, fusion(env), registry, () -> true,
                        InjectedHttpFaults.fromEnv(env)));
            }
            case workflows -> {
                var client = Temporal.connect(Env.RAGLINE_TEMPORAL_TARGET.get(env),
                        Env.RAGLINE_TEMPORAL_NAMESPACE.get(env), resources);
                URI searchApi = URI.create(Env.RAGLINE_URL.get(env));
                boolean sticky = Boolean.parseBoolean(Env.RAGLINE_TEMPORAL_STICKY.get(env).strip());
                HikariDataSource database = database(role, env, resources);
                LifecycleNode lifecycle = resources.add(new LifecycleNode(bootstrap, client, new MetadataStore(database),
                        new HttpIndexProbe(searchApi),
                        new LifecycleSettings(Duration.parse(Env.RAGLINE_INDEX_TIMEOUT.get(env)), Duration.ofSeconds(60)),
                        new HttpGenerationProbe(searchApi), ReindexSettings.defaults(), registry, sticky));
                // deploy, backup, restore and DR, started from the Temporal UI on task queue ragline-ops
                OpsService ops = resources.add(new OpsService(env, data, client, database, registry, sticky));
                resources.add(new HealthServer(host, port, registry, () -> lifecycle.health().and(ops.running()
                        ? Health.READY : Health.notReady("ops worker (task queue ragline-ops) not running")), Map.of()));
            }
        }
    }

    public static LuceneIndex.VectorFormat vectorFormat(Map<String, String> env) {
        String value = Env.RAGLINE_VECTOR_FORMAT.get(env).strip().toUpperCase(java.util.Locale.ROOT);
        try {
            return LuceneIndex.VectorFormat.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("RAGLINE_VECTOR_FORMAT must be int8 or float, was '" + value + "'", e);
        }
    }

    public static Fusion fusion(Map<String, String> env) {
        return new Fusion(Env.RAGLINE_RRF_K.getInt(env), Env.RAGLINE_RRF_KEYWORD_WEIGHT.getDouble(env),
                Env.RAGLINE_RRF_VECTOR_WEIGHT.getDouble(env));
    }

    private static HikariDataSource database(Role role, Map<String, String> env, Resources resources) {
        String url = Env.RAGLINE_JDBC_URL.lookup(env).orElseThrow(() ->
                new IllegalArgumentException("RAGLINE_JDBC_URL must be set for the " + role + " service"));
        return resources.add(Database.open(url, Env.RAGLINE_JDBC_USER.get(env), Env.RAGLINE_JDBC_PASSWORD.get(env), 8));
    }

    private static String instanceId(Map<String, String> env) {
        try {
            return Env.RAGLINE_INSTANCE_ID.lookup(env).orElse(InetAddress.getLocalHost().getHostName());
        } catch (UnknownHostException e) {
            return "embedder-" + ProcessHandle.current().pid();
        }
    }
}
