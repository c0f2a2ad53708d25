package io.ragline.devstack.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.core.store.Database;
import io.ragline.devstack.FreePorts;
import io.ragline.ops.OpsMetricNames;
import io.ragline.ops.OpsMetrics;
import io.ragline.ops.OpsResources;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.backup.BackupActivitiesImpl;
import io.ragline.ops.backup.BackupIds;
import io.ragline.ops.backup.BackupManifest;
import io.ragline.ops.backup.BackupResult;
import io.ragline.ops.backup.BackupScope;
import io.ragline.ops.backup.BackupSettings;
import io.ragline.ops.backup.BackupStore;
import io.ragline.ops.backup.BackupStores;
import io.ragline.ops.backup.NewestBackup;
import io.ragline.ops.backup.S3Settings;
import io.ragline.ops.deploy.DeploySettings;
import io.ragline.ops.restore.IngestionControl;
import io.ragline.ops.restore.RestoreResult;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 backup store against a real S3-compatible server: S3Proxy, started as the distributed
 * platform starts it ({@link S3ProxyServer}, the jar the build copies to {@code target/engines}),
 * and a real PostgreSQL; the backup and restore workflows run on the Temporal test server with the
 * real activities, reaching S3Proxy through {@link BackupStores} as a workflows pod does.
 */
class S3BackupStoreIT {
    private static final String BUCKET = "ragline-backups";
    private static final String TARGET = "s3://" + BUCKET + "/it";
    private static final String IDENTITY = "ragline";
    private static final String CREDENTIAL = "ragline-s3-it";
    private static final long DAY = 24L * 3600 * 1000;

    @TempDir
    static Path dir;
    private static Process s3proxy;
    private static S3Client s3;
    private static S3Settings settings;
    private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres;
    private static HikariDataSource db;

    private TestWorkflowEnvironment env;
    private BackupStores stores;
    private OpsResources resources;
    private final List<String> ingestion = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        S3ProxyServer server = new S3ProxyServer(dir.resolve("s3"), "127.0.0.1", FreePorts.next(), IDENTITY, CREDENTIAL);
        Path jar = Path.of("target", "engines", "s3proxy.jar");
        assertThat(jar).as("the build copies S3Proxy (package phase)").isRegularFile();
        s3proxy = server.prepare(jar).redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        settings = new S3Settings(server.endpoint().toString(), "us-east-1", true, IDENTITY, CREDENTIAL);
        // the test's own hands on the bucket, configured as the backups' client is
        s3 = BackupStores.client(settings);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(s3proxy.isAlive()).as("S3Proxy runs; see " + dir.resolve("s3proxy.log")).isTrue();
            s3.listBuckets();
        });
        s3.createBucket(b -> b.bucket(BUCKET));
        postgres = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
        db = Database.open(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres", 4);
    }

    @AfterAll
    static void stop() throws Exception {
        if (db != null) {
            db.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (s3proxy != null) {
            s3proxy.destroy();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE documents");
            s.execute("""
                    INSERT INTO documents (tenant, id, title, source, language, version, active_version, status,
                                           chunk_count, active_chunk_count, content_hash, metadata, revision)
                    VALUES ('t', 'a.md', 'Atomic, "quoted"', NULL, 'en', 2, 2, 'ACTIVE', 3, 3, 'h2', '{"team":"docs"}', 4),
                           ('t', 'b.md', E'multi\\nline', 'https://x', '', 1, 1, 'ACTIVE', 1, 1, 'h1', '{}', 2)
                    """);
        }
        // every test its own prefix's worth of backups
        List<String> keys = s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream().map(S3Object::key).toList();
        keys.forEach(k -> s3.deleteObject(b -> b.bucket(BUCKET).key(k)));
        stores = new BackupStores(settings);
        IngestionControl control = new IngestionControl() {
            @Override
            public void pause(String reason) {
                ingestion.add("pause");
            }

            @Override
            public void resume() {
                ingestion.add("resume");
            }

            @Override
            public boolean paused() {
                return ingestion.size() % 2 == 1;
            }
        };
        resources = OpsResources.builder(stores, new OpsMetrics(new SimpleMeterRegistry()), dir.resolve("work"))
                .metadata(db).ingestion(control).build();
        env = TestWorkflowEnvironment.newInstance();
        Worker worker = env.newWorker(OpsWorker.TASK_QUEUE);
        // what `serve workflows` backs up by default: its target, metadata (and Kafka offsets, not here)
        OpsWorker.register(worker, DeploySettings.defaults(), BackupSettings.of(TARGET, List.of(BackupScope.METADATA)),
                resources);
        env.start();
    }

    @AfterEach
    void tearDown() {
        env.close();
        stores.close();
    }

    @Test
    void aBackupStartedWithEmptyInputLandsInTheBucketAndRestoresTheMetadata() throws Exception {
        List<List<Object>> before = rows();

        BackupResult backup = start("BackupWorkflow", "{}", BackupResult.class);

        assertThat(backup.target()).isEqualTo(TARGET);
        assertThat(keys(backup.backupId())).contains("it/" + backup.backupId() + "/" + BackupManifest.FILE,
                "it/" + backup.backupId() + "/metadata/documents.csv", "it/" + backup.backupId() + "/metadata/schema.json");
        BackupStore store = stores.open(TARGET);
        assertThat(store.backupIds()).containsExactly(backup.backupId());
        // a fresh ops worker reads the backup age from the bucket
        SimpleMeterRegistry fresh = new SimpleMeterRegistry();
        new NewestBackup(stores, TARGET, new OpsMetrics(fresh), dir.resolve("work")).refresh();
        assertThat(fresh.get(OpsMetricNames.BACKUP_LAST_SUCCESS).gauge().value())
                .isEqualTo((double) backup.createdAt().getEpochSecond());

        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM documents WHERE id = 'b.md'");
        }
        RestoreResult restored = start("RestoreWorkflow", "{\"backupId\":\"latest\",\"target\":\"" + TARGET + "\"}",
                RestoreResult.class);

        assertThat(restored.backupId()).isEqualTo(backup.backupId());
        assertThat(rows()).isEqualTo(before);
        assertThat(ingestion).containsExactly("pause", "resume");
    }

    @Test
    void retentionDeletesOldAndFailedBackupsAndKeepsTheNewestCompleteOne() throws Exception {
        long now = System.currentTimeMillis();
        String old = id(now - 40 * DAY, "aaaaaa");
        String lastGood = id(now - 20 * DAY, "bbbbbb");
        String failedOld = id(now - 10 * DAY, "cccccc");
        String failedRecent = id(now - 2 * DAY, "dddddd");
        String running = id(now - 3_600_000, "eeeeee");
        for (String complete : List.of(old, lastGood)) {
            put(complete + "/" + BackupManifest.FILE, "{}");
            put(complete + "/metadata/documents.csv", "t,a.md\n");
        }
        // runs that never wrote a manifest: newer than the last good backup, yet they keep nothing alive
        for (String partial : List.of(failedOld, failedRecent, running)) {
            put(partial + "/metadata/documents.csv", "t,a.md\n");
        }
        BackupActivitiesImpl activities = new BackupActivitiesImpl(resources);

        assertThat(activities.cleanUp(TARGET, 7, now)).containsExactly(old, failedOld, failedRecent);
        // the last complete backup is past retention but the newest one: it stays, whole
        assertThat(stores.open(TARGET).backupIds()).containsExactly(lastGood, running);
        assertThat(keys(lastGood)).hasSize(2);
        assertThat(keys(old)).isEmpty();

        // once a newer backup completes, the old last good one goes
        BackupResult backup = start("BackupWorkflow", "{\"retentionDays\":7}", BackupResult.class);
        assertThat(backup.deleted()).containsExactly(lastGood);
        assertThat(stores.open(TARGET).backupIds()).containsExactly(running, backup.backupId());
    }

    @Test
    void anObjectChangedInTheBucketIsRefusedByNameBeforeAnythingIsRestored() throws Exception {
        BackupResult backup = start("BackupWorkflow", "{}", BackupResult.class);
        String key = "it/" + backup.backupId() + "/metadata/documents.csv";
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("t,evil.md\n"));
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM documents WHERE id = 'b.md'");
        }

        assertThatThrownBy(() -> start("RestoreWorkflow", "{\"target\":\"" + TARGET + "\"}", RestoreResult.class))
                .isInstanceOf(WorkflowFailedException.class)
                .cause().isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.isNonRetryable()).isTrue();
                    assertThat(f.getOriginalMessage()).contains("backup verification failed")
                            .contains(backup.backupId()).contains("metadata/documents.csv").contains("SHA-256");
                });
        assertThat(ingestion).as("nothing was paused, nothing restored").isEmpty();
        assertThat(rows()).hasSize(1);
    }

    /** As the Temporal UI starts a workflow: by type name, with JSON input, through an untyped stub. */
    private <T> T start(String type, String json, Class<T> result) throws Exception {
        WorkflowStub stub = env.getWorkflowClient().newUntypedWorkflowStub(type, WorkflowOptions.newBuilder()
                .setTaskQueue(OpsWorker.TASK_QUEUE).setWorkflowId(type + "-" + System.nanoTime()).build());
        Object input = io.temporal.common.converter.JacksonJsonPayloadConverter.newDefaultObjectMapper()
                .readValue(json, Map.class);
        stub.start(input);
        return stub.getResult(result);
    }

    private static String id(long epochMillis, String suffix) {
        String id = BackupIds.newId(epochMillis, java.util.UUID.randomUUID()).substring(0, 16) + "-" + suffix;
        assertThat(BackupIds.valid(id)).isTrue();
        return id;
    }

    private static void put(String key, String content) {
        s3.putObject(b -> b.bucket(BUCKET).key("it/" + key), RequestBody.fromString(content));
    }

    /** The backup's objects, less the directory entries S3Proxy's filesystem backend lists ({@code metadata/}). */
    private static List<String> keys(String backupId) {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("it/" + backupId + "/")).contents().stream()
                .map(S3Object::key).filter(k -> !k.endsWith("/")).toList();
    }

    private static List<List<Object>> rows() throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM documents ORDER BY tenant, id")) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    Object v = rs.getObject(i);
                    row.add(v == null ? null : v.toString());
                }
                rows.add(row);
            }
        }
        assertThat(rows).isNotEmpty();
        return rows;
    }
}
