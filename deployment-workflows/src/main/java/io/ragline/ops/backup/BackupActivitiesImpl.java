package io.ragline.ops.backup;

import io.ragline.ops.ScratchDirs;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragline.ops.Failures;
import io.ragline.ops.OpsResources;
import io.temporal.activity.Activity;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public final class BackupActivitiesImpl implements BackupActivities {
    private static final long DAY_MILLIS = 24L * 60 * 60 * 1000;

    private final OpsResources resources;
    private final BackupReader reader = new BackupReader();
    private final ObjectMapper mapper = JacksonJsonPayloadConverter.newDefaultObjectMapper();

    public BackupActivitiesImpl(OpsResources resources) {
        this.resources = resources;
    }

    @Override
    public MetadataBackup dumpMetadata(String target, String backupId) {
        MetadataDump dump = new MetadataDump(Failures.require(resources.metadata(), "PostgreSQL"));
        return inWorkDir(dir -> {
            BackupStore store = resources.stores().open(target);
            MetadataDump.Schema schema = dump.dump(dir, BackupActivitiesImpl::heartbeat);
            List<Artifact> artifacts = new ArrayList<>();
            for (MetadataDump.Table t : schema.tables()) {
                artifacts.add(upload(store, backupId, "metadata/" + t.name() + ".csv", BackupScope.METADATA,
                        dir.resolve(t.name() + ".csv"), Map.of("rows", t.rows())));
            }
            Path schemaFile = dir.resolve("schema.json");
            mapper.writerWithDefaultPrettyPrinter().writeValue(schemaFile.toFile(), schema);
            artifacts.add(upload(store, backupId, "metadata/schema.json", BackupScope.METADATA, schemaFile,
                    Map.of("tables", (long) schema.tables().size())));
            return new MetadataBackup(artifacts, schema.schemaVersion());
        });
    }

    @Override
    public IndexBackup snapshotIndex(String target, String backupId, List<ProbeQuery> probes) {
        IndexSnapshots index = Failures.require(resources.index(), "index snapshots");
        return inWorkDir(dir -> {
            BackupStore store = resources.stores().open(target);
            // probes run just before and just after the snapshot; a query whose results moved in between
            // raced with indexing and would prove nothing at restore, so only stable ones are kept
            List<ProbeRecord> before = probe(probes);
            Path snapshot = Files.createDirectories(dir.resolve("index"));
            Map<String, Long> counts = index.snapshot(snapshot);
            heartbeat();
            List<ProbeRecord> after = probe(probes);
            List<ProbeRecord> stable = before.stream().filter(after::contains).toList();
            Path zip = dir.resolve("index.zip");
            Checksums.zip(snapshot, zip);
            heartbeat();
            return new IndexBackup(List.of(upload(store, backupId, "index/index.zip", BackupScope.INDEX, zip, counts)),
                    stable);
        });
    }

    @Override
    public List<Artifact> exportKafka(String target, String backupId) {
        KafkaState kafka = new KafkaState(Failures.require(resources.kafka(), "Kafka"));
        return inWorkDir(dir -> {
            KafkaState.Snapshot snapshot = kafka.export();
            Path file = dir.resolve("state.json");
            mapper.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), snapshot);
            return List.of(upload(resources.stores().open(target), backupId, "kafka/state.json",
                    BackupScope.KAFKA_OFFSETS, file, Map.of("topics", (long) snapshot.topics().size(),
                            "groups", (long) snapshot.groups().size(), "offsets", snapshot.offsetCount())));
        });
    }

    @Override
    public List<Artifact> exportKubernetes(String target, String backupId, String namespace) {
        KubernetesConfigExport export = new KubernetesConfigExport(Failures.require(resources.kubernetes(), "Kubernetes (in a pod: its service-account token; elsewhere: KUBECONFIG)"));
        return inWorkDir(dir -> {
            var list = export.export(namespace);
            Path file = dir.resolve("kubernetes.yaml");
            Files.writeString(file, export.toYaml(list), StandardCharsets.UTF_8);
            return List.of(upload(resources.stores().open(target), backupId, "kubernetes/" + namespace + ".yaml",
                    BackupScope.KUBERNETES_CONFIG, file, Map.of("objects", (long) list.getItems().size())));
        });
    }

    @Override
    public void writeManifest(String target, BackupManifest manifest) {
        inWorkDir(dir -> {
            Path file = dir.resolve(BackupManifest.FILE);
            mapper.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), manifest);
            resources.stores().open(target).put(manifest.backupId() + "/" + BackupManifest.FILE, file);
            resources.metrics().backupCompleted(manifest.createdAt().getEpochSecond(), manifest.totalBytes());
            return null;
        });
    }

    @Override
    public List<String> cleanUp(String target, int retentionDays, long nowMillis) {
        try {
            BackupStore store = resources.stores().open(target);
            String newest = reader.latest(store).orElse(null);
            long cutoff = nowMillis - retentionDays * DAY_MILLIS;
            List<String> deleted = new ArrayList<>();
            for (String id : store.backupIds()) {
                if (id.equals(newest)) {
                    continue; // the last good backup survives any retention
                }
                long created = BackupIds.epochMillis(id);
                boolean complete = store.exists(id + "/" + BackupManifest.FILE);
                // an incomplete backup a day old is a failed run, not one still writing
                if (created < cutoff || (!complete && created < nowMillis - DAY_MILLIS)) {
                    store.delete(id);
                    deleted.add(id);
                }
            }
            return deleted;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<ProbeRecord> probe(List<ProbeQuery> probes) {
        if (probes == null || probes.isEmpty() || resources.probe() == null) {
            return List.of();
        }
        List<ProbeRecord> records = new ArrayList<>();
        for (ProbeQuery q : probes) {
            records.add(new ProbeRecord(q.tenant(), q.query(), q.k(), List.copyOf(resources.probe().topIds(q.tenant(),
                    q.query(), q.k()))));
        }
        return records;
    }

    private static Artifact upload(BackupStore store, String backupId, String name, BackupScope scope, Path file,
                                   Map<String, Long> counts) throws IOException {
        String sha = Checksums.sha256(file);
        long bytes = Files.size(file);
        store.put(backupId + "/" + name, file);
        return new Artifact(name, scope, sha, bytes, counts);
    }

    static void heartbeat() {
        try {
            Activity.getExecutionContext().heartbeat(null);
        } catch (IllegalStateException e) {
            // called outside an activity (a unit test): nothing to report to
        }
    }

    private <T> T inWorkDir(ScratchDirs.Task<T> task) {
        return ScratchDirs.inScratchDir(resources.workDir(), "backup-", task);
    }
}
