package io.ragline.ops.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.ops.DirectoryIndex;
import io.ragline.ops.OpsMetricNames;
import io.ragline.ops.OpsMetrics;
import io.ragline.ops.OpsResources;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.RecordingIngestion;
import io.ragline.ops.TestPostgres;
import io.ragline.ops.deploy.DeploySettings;
import io.ragline.ops.restore.RestoreRequest;
import io.ragline.ops.restore.RestoreResult;
import io.ragline.ops.restore.RestoreWorkflow;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup and restore end to end through the workflows: a real PostgreSQL (COPY), a real
 * in-process Kafka broker (offsets and topic configs), a file:// target.
 */
class BackupRestoreTest {
    private static final String TOPIC = "ragline.documents";
    private static final String GROUP = "ragline-ingest";
    private static KafkaClusterTestKit kafka;
    private static Admin admin;
    private static HikariDataSource db;

    @TempDir
    Path tmp;
    private TestWorkflowEnvironment env;
    private DirectoryIndex index;
    private RecordingIngestion ingestion;
    private SimpleMeterRegistry meters;
    private String target;
    private boolean failIndexRestore;
    private boolean failIndexSnapshot;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1).configs(Map.of("retention.ms", "3600000"))))
                .all().get(30, TimeUnit.SECONDS);
        db = TestPostgres.database("backup_test");
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
        admin.close();
        kafka.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE documents");
            s.execute("""
                    INSERT INTO documents (tenant, id, title, source, language, version, active_version, status,
                                           chunk_count, active_chunk_count, content_hash, metadata, revision)
                    VALUES ('t', 'a.md', 'Atomic, "quoted"', NULL, 'en', 2, 2, 'ACTIVE', 3, 3, 'h2',
                            '{"team":"docs","year":2026}', 4),
                           ('t', 'b.md', E'multi\\nline', 'https://x', '', 1, 1, 'ACTIVE', 1, 1, 'h1', '{}', 2),
                           ('u', 'c.md', NULL, NULL, NULL, 1, 0, 'FAILED', 2, 0, 'h3', '{}', 1)
                    """);
        }
        commitOffsets(Map.of(0, 7L, 1, 3L));
        index = new DirectoryIndex(tmp.resolve("index"));
        index.put("a.md", "versions activate atomically; atomic versions never mix");
        index.put("b.md", "one atomic switch");
        index.put("c.md", "nothing to see");
        ingestion = new RecordingIngestion();
        meters = new SimpleMeterRegistry();
        target = tmp.resolve("backups").toUri().toString();

        IndexSnapshots flaky = new IndexSnapshots() {
            @Override
            public Map<String, Long> snapshot(Path dir) throws IOException {
                if (failIndexSnapshot) {
                    throw new IOException("snapshot refused");
                }
                return index.snapshot(dir);
            }

            @Override
            public Map<String, Long> restore(Path dir) throws IOException {
                if (failIndexRestore) {
                    throw new IOException("disk full");
                }
                return index.restore(dir);
            }

            @Override
            public Map<String, Long> counts() {
                return index.counts();
            }
        };
        OpsResources resources = OpsResources.builder(new BackupStores(null), new OpsMetrics(meters), tmp.resolve("work"))
                .metadata(db).kafka(admin).index(flaky).probe(index).ingestion(ingestion).build();
        env = TestWorkflowEnvironment.newInstance();
        Worker worker = env.newWorker(OpsWorker.TASK_QUEUE);
        OpsWorker.register(worker, DeploySettings.defaults(), BackupSettings.of(target), resources);
        env.start();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    @Test
    void aRestoreBringsBackMetadataIndexOffsetsAndTopicConfigsAsTheyWereAtBackupTime() throws Exception {
        List<List<Object>> rows = rows();
        BackupResult backup = backup();
        // documents.csv, api_keys.csv, schema.json, index.zip, state.json
        assertThat(backup.artifacts()).isEqualTo(5);
        assertThat(meters.get(OpsMetricNames.BACKUP_LAST_SUCCESS).gauge().value())
                .isEqualTo(backup.createdAt().getEpochSecond());
        List<String> probe = index.topIds("t", "atomic versions", 3);
        assertThat(probe).containsExactly("a.md", "b.md");

        // the platform moves on: documents change, the index changes, consumers advance, configs change
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM documents WHERE id = 'b.md'");
            s.execute("UPDATE documents SET title = 'changed', version = 3 WHERE id = 'a.md'");
            s.execute("INSERT INTO documents (tenant, id, version, status) VALUES ('t', 'd.md', 1, 'CHUNKED')");
        }
        index.delete("b.md");
        index.put("d.md", "atomic atomic atomic versions");
        commitOffsets(Map.of(0, 42L, 1, 40L));
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPIC),
                List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "60000"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);

        RestoreResult restored = restoreWorkflow().restore(new RestoreRequest(backup.backupId(), target, null, null));

        assertThat(rows()).isEqualTo(rows);
        assertThat(index.topIds("t", "atomic versions", 3)).isEqualTo(probe);
        assertThat(offsets()).containsExactlyInAnyOrderEntriesOf(Map.of(new TopicPartition(TOPIC, 0), 7L,
                new TopicPartition(TOPIC, 1), 3L));
        assertThat(topicConfig("retention.ms")).isEqualTo("3600000");
        assertThat(restored.probesChecked()).isEqualTo(1);
        assertThat(restored.counts()).containsEntry("metadata.documents", 3L).containsEntry("index.documents", 3L)
                .containsEntry("kafka.offsets", 2L);
        assertThat(ingestion.calls()).containsExactly("pause", "resume");
        assertThat(runs("restore", "completed")).isEqualTo(1);
        assertThat(runs("restore", "failed")).isZero();
        assertThat(runs("backup", "completed")).isEqualTo(1);
    }

    @Test
    void aFailedBackupIsCountedAsFailed() {
        failIndexSnapshot = true;

        assertThatThrownBy(this::backup).isInstanceOf(WorkflowFailedException.class)
                .cause().hasMessageContaining("snapshot index failed");

        assertThat(runs("backup", "failed")).isEqualTo(1);
        assertThat(runs("backup", "completed")).isZero();
    }

    private double runs(String workflow, String outcome) {
        return meters.get(OpsMetricNames.OPS_WORKFLOWS).tag("workflow", workflow).tag("outcome", outcome)
                .counter().count();
    }

    @Test
    void aTamperedArtifactIsDetectedBeforeAnythingIsTouched() throws Exception {
        BackupResult backup = backup();
        Path csv = tmp.resolve("backups").resolve(backup.backupId()).resolve("metadata/documents.csv");
        Files.writeString(csv, "t,evil.md\n", StandardOpenOption.APPEND);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM documents WHERE id = 'b.md'");
        }

        assertThatThrownBy(() -> restoreWorkflow().restore(new RestoreRequest("latest", target, null, null)))
                .isInstanceOf(WorkflowFailedException.class)
                .cause().isInstanceOfSatisfying(ApplicationFailure.class, f -> assertThat(f.getOriginalMessage())
                        .contains("metadata/documents.csv").contains("SHA-256"));
        assertThat(ingestion.calls()).isEmpty();
        assertThat(TestPostgres.count(db, "SELECT count(*) FROM documents")).isEqualTo(2);
        assertThat(runs("restore", "failed")).isEqualTo(1);
    }

    @Test
    void aRestoreThatFailsAfterPausingResumesIngestion() throws Exception {
        BackupResult backup = backup();
        failIndexRestore = true;
        RestoreWorkflow workflow = restoreWorkflow();

        assertThatThrownBy(() -> workflow.restore(new RestoreRequest(backup.backupId(), target, null, null)))
                .isInstanceOf(WorkflowFailedException.class)
                .cause().hasMessageContaining("restore index failed").hasMessageContaining("disk full");
        assertThat(ingestion.calls()).containsExactly("pause", "resume");
        assertThat(ingestion.paused()).isFalse();
        assertThat(workflow.status().steps()).extracting(s -> s.name()).contains("compensate: resume ingestion");
        assertThat(runs("restore", "failed")).isEqualTo(1);
        assertThat(runs("restore", "completed")).isZero();
    }

    @Test
    void retentionDeletesOldBackupsButNeverTheNewestCompleteOne() throws Exception {
        BackupStore store = new BackupStores(null).open(target);
        long now = BackupIds.epochMillis("20260301T000000Z-000000");
        Path file = Files.writeString(tmp.resolve("x"), "{}");
        for (String id : List.of("20260101T000000Z-aaaaaa", "20260220T000000Z-bbbbbb", "20260228T000000Z-cccccc")) {
            store.put(id + "/" + BackupManifest.FILE, file);
        }
        store.put("20260228T120000Z-dddddd/metadata/documents.csv", file); // failed run, no manifest
        BackupActivitiesImpl activities = new BackupActivitiesImpl(OpsResources.builder(new BackupStores(null),
                new OpsMetrics(meters), tmp.resolve("work")).build());

        assertThat(activities.cleanUp(target, 7, now))
                .containsExactly("20260101T000000Z-aaaaaa", "20260220T000000Z-bbbbbb");
        assertThat(store.backupIds()).containsExactly("20260228T000000Z-cccccc", "20260228T120000Z-dddddd");
        // a month later, nothing newer: the last good backup still stays, the failed one goes
        assertThat(activities.cleanUp(target, 7, now + 30L * 24 * 3600 * 1000)).containsExactly("20260228T120000Z-dddddd");
        assertThat(store.backupIds()).containsExactly("20260228T000000Z-cccccc");
    }

    private BackupResult backup() {
        BackupWorkflow workflow = env.getWorkflowClient().newWorkflowStub(BackupWorkflow.class, options("backup"));
        return workflow.backup(new BackupRequest(List.of(BackupScope.METADATA, BackupScope.INDEX,
                BackupScope.KAFKA_OFFSETS), target, 7, null, List.of(new ProbeQuery("t", "atomic versions", 3))));
    }

    private RestoreWorkflow restoreWorkflow() {
        return env.getWorkflowClient().newWorkflowStub(RestoreWorkflow.class, options("restore"));
    }

    private static WorkflowOptions options(String id) {
        return WorkflowOptions.newBuilder().setTaskQueue(OpsWorker.TASK_QUEUE).setWorkflowId(id).build();
    }

    private static void commitOffsets(Map<Integer, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> commit = new java.util.HashMap<>();
        offsets.forEach((p, o) -> commit.put(new TopicPartition(TOPIC, p), new OffsetAndMetadata(o)));
        admin.alterConsumerGroupOffsets(GROUP, commit).all().get(30, TimeUnit.SECONDS);
    }

    private static Map<TopicPartition, Long> offsets() throws Exception {
        Map<TopicPartition, Long> out = new java.util.HashMap<>();
        admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .forEach((tp, om) -> out.put(tp, om.offset()));
        return out;
    }

    private static String topicConfig(String name) throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        return admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic).get(name).value();
    }

    /** Every column of every row, as JDBC returns them: a restore must give back exactly this. */
    private static List<List<Object>> rows() throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM documents ORDER BY tenant, id")) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
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
