package io.ragline.devstack.ops;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ragline.core.model.Embedder;
import io.ragline.core.runtime.Resources;
import io.ragline.core.store.ApiKey;
import io.ragline.core.store.ApiKeyStore;
import io.ragline.core.store.Database;
import io.ragline.devstack.FreePorts;
import io.ragline.ops.OpsResources;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.dr.EnvironmentInfo;
import io.ragline.ops.dr.Environments;
import io.ragline.search.SearchNode;
import io.ragline.search.StoreSelection;
import io.ragline.search.index.Fusion;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DR standby of the distributed form off Kubernetes, as the dr overlay builds one: a metadata
 * database of its own ({@code RAGLINE_DR_JDBC_URL}, the stand-in for the replica PostgreSQL
 * cluster) and a search replica that keeps its own index from the logs it reads (the overlay's
 * MirrorMaker copies; here the same broker, so topic names and contents are the primary's). Start
 * opens the database (schema by Flyway), starts the standby search node in this process on a free
 * port with the primary replicas' model, store and fusion, and a restore worker on
 * {@link OpsWorker#environmentTaskQueue} bound to the standby's database. That worker restores the
 * metadata only: the consumer groups are the primary's, and the replica follows the logs, so its
 * ingestion control republishes nothing ({@link FleetIngestionPause#withoutRepublishing}). There
 * is no traffic switch: the primary's API port is the primary's, so DRILL only. Tear-down stops the
 * node and the worker, deletes the index and empties the database.
 */
public final class LocalStandby implements Environments, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalStandby.class);
    /** The standby search node reads every log from the start: its readiness waits for that. */
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
    /** Kept by a tear-down: the schema and the one row of the ingestion pause. */
    private static final List<String> KEPT_TABLES = List.of("flyway_schema_history", "ingestion_pause");

    /** The standby's own metadata database, with the primary's user. */
    public record StandbyDatabase(String jdbcUrl, String user, String password) {
    }

    /** How the standby's search node is built: the primary replicas' logs, model, store and fusion. */
    public record StandbySearch(String bootstrapServers, String host, Supplier<Embedder> model,
                                Function<Path, StoreSelection> store, Fusion fusion) {
    }

    private record Running(Resources resources, HikariDataSource database, SearchNode node, EnvironmentInfo info) {
    }

    private final String name;
    private final StandbyDatabase database;
    private final StandbySearch search;
    private final Path dir;
    private final WorkflowClient client;
    private final Function<DataSource, OpsResources> restoreResources;
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    /**
     * @param name             the environment's name, the DR request's {@code target}
     * @param dir              where the standby keeps its index
     * @param client           the primary's Temporal client: the standby's restore worker polls through it
     * @param restoreResources what the standby's restore activities act on, given its database
     */
    public LocalStandby(String name, StandbyDatabase database, StandbySearch search, Path dir, WorkflowClient client,
                        Function<DataSource, OpsResources> restoreResources) {
        this.name = name;
        this.database = database;
        this.search = search;
        this.dir = dir;
        this.client = client;
        this.restoreResources = restoreResources;
    }

    /** Only this standby's name, and its database must answer. */
    @Override
    public List<String> check(String environment) {
        if (!name.equals(environment)) {
            return List.of("unknown environment '" + environment + "': this ops worker's DR standby is '" + name
                    + "' (RAGLINE_DR_JDBC_URL)");
        }
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
            return c.isValid(5) ? List.of() : List.of("the standby's database " + database.jdbcUrl() + " does not answer");
        } catch (SQLException e) {
            return List.of("cannot reach the standby's database " + database.jdbcUrl() + ": " + e.getMessage());
        }
    }

    @Override
    public synchronized EnvironmentInfo start(String environment) {
        requireKnown(environment);
        Running r = running.get(environment);
        if (r != null) {
            return r.info();
        }
        log.info("starting DR standby {}: database {}, index {}", environment, database.jdbcUrl(), dir.resolve("index"));
        Resources resources = new Resources();
        try {
            HikariDataSource db = resources.add(Database.open(database.jdbcUrl(), database.user(), database.password(), 4));
            Embedder model = resources.add(search.model().get());
            SearchNode node = resources.add(new SearchNode(search.bootstrapServers(), search.store().apply(dir.resolve("index")),
                    search.host(), FreePorts.next(), db, model, search.fusion(),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> true));
            WorkerFactory factory = WorkerFactory.newInstance(client);
            OpsWorker.registerRestoreTarget(factory.newWorker(OpsWorker.environmentTaskQueue(environment)),
                    restoreResources.apply(db));
            factory.start();
            // closed first: no restore lands on a stopped node
            resources.add(() -> {
                factory.shutdown();
                factory.awaitTermination(10, TimeUnit.SECONDS);
            });
            String host = "0.0.0.0".equals(search.host()) ? "127.0.0.1" : search.host();
            EnvironmentInfo info = new EnvironmentInfo(environment, OpsWorker.environmentTaskQueue(environment),
                    "http://" + host + ":" + node.port());
            running.put(environment, new Running(resources, db, node, info));
            log.info("DR standby {} is up: {}", environment, info.endpoint());
            return info;
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    /**
     * Ready (the node has read the logs), and a few documents the restored metadata holds as ACTIVE
     * are found by their titles, searched with an admin key made for the test in the standby's
     * database (the restored keys are the primary's secrets) and revoked after it.
     */
    @Override
    public List<String> smokeTest(String environment) {
        requireKnown(environment);
        Running r = running.get(environment);
        if (r == null) {
            return List.of("environment " + environment + " is not running");
        }
        ApiKeyStore keys = new ApiKeyStore(r.database());
        ApiKeyStore.Created key = keys.create("default", "dr smoke test", EnumSet.allOf(ApiKey.Scope.class),
                ApiKeyStore.DEFAULT_RATE_PER_MINUTE);
        try {
            EnvironmentSmokeTest test = new EnvironmentSmokeTest(
                    new HttpSearchProbe(URI.create(r.info().endpoint()), key::plaintext), r.database(), READY_TIMEOUT);
            List<String> failures = test.run(r.info().endpoint());
            log.info("DR standby {} smoke test: {} searched, failures {}", environment, test.answers().keySet(), failures);
            return failures;
        } finally {
            keys.revoke(key.key().id());
        }
    }

    @Override
    public synchronized void tearDown(String environment) {
        requireKnown(environment);
        Running r = running.remove(environment);
        if (r != null) {
            log.info("tearing down DR standby {}", environment);
            r.resources().close();
        }
        emptyDatabase();
        deleteRecursively(dir);
    }

    /** Every table but the schema history and the pause row, emptied; the pause lifted. */
    private void emptyDatabase() {
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")) {
                while (rs.next()) {
                    if (!KEPT_TABLES.contains(rs.getString(1))) {
                        tables.add('"' + rs.getString(1) + '"');
                    }
                }
            }
            if (!tables.isEmpty()) {
                st.execute("TRUNCATE " + String.join(", ", tables) + " RESTART IDENTITY CASCADE");
            }
            if (tablesInclude(c, "ingestion_pause")) {
                st.execute("UPDATE ingestion_pause SET paused = false, owner = NULL, reason = NULL, since = NULL");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot empty the standby's database " + database.jdbcUrl() + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean tablesInclude(Connection c, String table) throws SQLException {
        try (ResultSet rs = c.getMetaData().getTables(null, c.getSchema(), table, null)) {
            return rs.next();
        }
    }

    /** The running standby's search node, or null. */
    public SearchNode node(String environment) {
        Running r = running.get(environment);
        return r == null ? null : r.node();
    }

    @Override
    public synchronized void close() {
        running.values().forEach(r -> r.resources().close());
        running.clear();
    }

    private void requireKnown(String environment) {
        if (!name.equals(environment)) {
            throw new IllegalArgumentException("unknown environment '" + environment + "': the DR standby is '" + name + "'");
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
