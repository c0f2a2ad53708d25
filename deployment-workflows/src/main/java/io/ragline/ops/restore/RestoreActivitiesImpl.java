package io.ragline.ops.restore;

import io.ragline.ops.ScratchDirs;
import io.ragline.ops.Failures;
import io.ragline.ops.OpsResources;
import io.ragline.ops.backup.Artifact;
import io.ragline.ops.backup.BackupManifest;
import io.ragline.ops.backup.BackupReader;
import io.ragline.ops.backup.BackupScope;
import io.ragline.ops.backup.BackupStore;
import io.ragline.ops.backup.Checksums;
import io.ragline.ops.backup.IndexSnapshots;
import io.ragline.ops.backup.KafkaState;
import io.ragline.ops.backup.MetadataDump;
import io.ragline.ops.backup.ProbeRecord;
import io.temporal.activity.Activity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

public final class RestoreActivitiesImpl implements RestoreActivities {
    private final OpsResources resources;
    private final BackupReader reader = new BackupReader();

    public RestoreActivitiesImpl(OpsResources resources) {
        this.resources = resources;
    }

    @Override
    public BackupManifest verifyBackup(String target, String backupId) {
        return inWorkDir(dir -> {
            BackupStore store = resources.stores().open(target);
            String id = reader.resolve(store, backupId);
            BackupManifest manifest = reader.manifest(store, id, dir);
            for (Artifact a : manifest.artifacts()) {
                Files.delete(reader.fetch(store, id, a, dir)); // throws ChecksumMismatch
                heartbeat();
            }
            return manifest;
        });
    }

    @Override
    public RestorePlan plan(BackupManifest manifest, List<BackupScope> requested) {
        boolean asked = requested != null && !requested.isEmpty();
        IngestionControl ingestion = Failures.require(resources.ingestion(), "ingestion control (pause and resume)");
        List<BackupScope> scope = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        boolean rebuild = false;
        for (BackupScope s : manifest.scope()) {
            if (asked && !requested.contains(s)) {
                continue;
            }
            String unavailable = switch (s) {
                case METADATA -> resources.metadata() == null ? "PostgreSQL (RAGLINE_JDBC_URL) is not configured" : null;
                case INDEX -> resources.index() != null ? null : resources.rebuild() != null
                        ? "the search replicas own their indexes here: they rebuild from the logs instead"
                        : "this runtime holds no index to restore";
                case KAFKA_OFFSETS -> resources.kafka() == null ? "Kafka (RAGLINE_KAFKA_BOOTSTRAP) is not configured"
                        : !ingestion.emptiesConsumerGroups() ? "the consumers keep running through a fleet-wide pause, "
                        + "and the logs were not rewound: their positions stay" : null;
                case KUBERNETES_CONFIG -> "apply kubernetes/<namespace>.yaml with kubectl";
            };
            if (unavailable == null) {
                scope.add(s);
            } else if (s == BackupScope.INDEX && resources.rebuild() != null) {
                rebuild = true;
                skipped.put(json(s), unavailable);
            } else if (asked && s != BackupScope.KUBERNETES_CONFIG) {
                throw Failures.permanent(s == BackupScope.KAFKA_OFFSETS && resources.kafka() != null
                        ? "ConsumersRunning" : "NotConfigured", "cannot restore " + json(s) + " here: " + unavailable);
            } else {
                skipped.put(json(s), unavailable);
            }
        }
        if (asked) {
            for (BackupScope s : requested) {
                if (!manifest.scope().contains(s)) {
                    throw Failures.permanent("InvalidInput", "backup " + manifest.backupId() + " holds no " + json(s)
                            + " (it holds " + manifest.scope() + ")");
                }
            }
        }
        if (scope.isEmpty()) {
            throw Failures.permanent("NotConfigured", "nothing of backup " + manifest.backupId() + " can be restored here: "
                    + skipped);
        }
        // restored metadata without the index it describes: the replicas rebuild from the logs
        rebuild |= scope.contains(BackupScope.METADATA) && !scope.contains(BackupScope.INDEX)
                && resources.index() == null && resources.rebuild() != null;
        return new RestorePlan(scope, skipped, rebuild ? resources.rebuild() : null);
    }

    @Override
    public void pauseIngestion(String reason) {
        Failures.require(resources.ingestion(), "ingestion control").pause(reason);
    }

    @Override
    public void resumeIngestion() {
        Failures.require(resources.ingestion(), "ingestion control").resume();
    }

    @Override
    public Map<String, Long> restoreMetadata(String target, BackupManifest manifest) {
        MetadataDump dump = new MetadataDump(Failures.require(resources.metadata(), "PostgreSQL"));
        return inWorkDir(dir -> {
            BackupStore store = resources.stores().open(target);
            MetadataDump.Schema schema = reader.read(
                    reader.fetch(store, manifest.backupId(), artifact(manifest, "metadata/schema.json"), dir),
                    MetadataDump.Schema.class);
            Path csvDir = Files.createDirectories(dir.resolve("csv"));
            for (MetadataDump.Table t : schema.tables()) {
                Path file = reader.fetch(store, manifest.backupId(), artifact(manifest, "metadata/" + t.name() + ".csv"),
                        dir);
                Files.move(file, csvDir.resolve(t.name() + ".csv"));
            }
            return dump.restore(csvDir, schema);
        });
    }

    @Override
    public Map<String, Long> restoreIndex(String target, BackupManifest manifest) {
        IndexSnapshots index = Failures.require(resources.index(), "index snapshots");
        return inWorkDir(dir -> {
            Path zip = reader.fetch(resources.stores().open(target), manifest.backupId(),
                    artifact(manifest, "index/index.zip"), dir);
            Path snapshot = Files.createDirectories(dir.resolve("index"));
            Checksums.unzip(zip, snapshot);
            heartbeat();
            return index.restore(snapshot);
        });
    }

    @Override
    public Map<String, Long> restoreKafka(String target, BackupManifest manifest) {
        KafkaState kafka = new KafkaState(Failures.require(resources.kafka(), "Kafka"));
        return inWorkDir(dir -> {
            KafkaState.Snapshot snapshot = reader.read(reader.fetch(resources.stores().open(target),
                    manifest.backupId(), artifact(manifest, "kafka/state.json"), dir), KafkaState.Snapshot.class);
            kafka.restore(snapshot);
            return Map.of("topics", (long) snapshot.topics().size(), "groups", (long) snapshot.groups().size(),
                    "offsets", snapshot.offsetCount());
        });
    }

    @Override
    public VerifyReport verifyRestore(String target, BackupManifest manifest, List<BackupScope> scope) {
        List<String> mismatches = new ArrayList<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        int probes = 0;
        try {
            if (scope.contains(BackupScope.METADATA)) {
                Map<String, Long> expected = new LinkedHashMap<>();
                for (Artifact a : manifest.artifacts()) {
                    if (a.name().startsWith("metadata/") && a.name().endsWith(".csv")) {
                        expected.put(a.name().substring("metadata/".length(), a.name().length() - 4), a.counts().get("rows"));
                    }
                }
                Map<String, Long> actual = new MetadataDump(Failures.require(resources.metadata(), "PostgreSQL"))
                        .counts(List.copyOf(expected.keySet()));
                compare("metadata.", expected, actual, counts, mismatches);
            }
            if (scope.contains(BackupScope.INDEX)) {
                IndexSnapshots index = Failures.require(resources.index(), "index snapshots");
                compare("index.", artifact(manifest, "index/index.zip").counts(), index.counts(), counts, mismatches);
                if (!manifest.probes().isEmpty()) {
                    var probe = Failures.require(resources.probe(), "search probe");
                    for (ProbeRecord p : manifest.probes()) {
                        List<String> now = probe.topIds(p.tenant(), p.query(), p.k());
                        if (!p.topIds().equals(now)) {
                            mismatches.add("query '" + p.query() + "' (" + p.tenant() + ") returned " + now
                                    + ", at backup time " + p.topIds());
                        }
                        probes++;
                    }
                }
            }
            if (scope.contains(BackupScope.KAFKA_OFFSETS)) {
                KafkaState kafka = new KafkaState(Failures.require(resources.kafka(), "Kafka"));
                KafkaState.Snapshot expected = inWorkDir(dir -> reader.read(reader.fetch(resources.stores().open(target),
                                manifest.backupId(), artifact(manifest, "kafka/state.json"), dir),
                        KafkaState.Snapshot.class));
                Set<String> groups = expected.groups().stream().map(KafkaState.GroupOffsets::group)
                        .collect(Collectors.toSet());
                Map<String, Long> want = flatten(expected.groups());
                Map<String, Long> have = flatten(kafka.groups(groups));
                long matching = want.entrySet().stream().filter(e -> e.getValue().equals(have.get(e.getKey()))).count();
                counts.put("kafka.offsets", matching);
                if (matching != want.size()) {
                    want.forEach((k, v) -> {
                        if (!v.equals(have.get(k))) {
                            mismatches.add("offset " + k + " is " + have.get(k) + ", expected " + v);
                        }
                    });
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("verification could not run: " + e.getMessage(), e);
        }
        return new VerifyReport(mismatches, counts, probes);
    }

    /** The scope's name as requests and the README spell it. */
    private static String json(BackupScope s) {
        try {
            return BackupScope.class.getField(s.name()).getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class)
                    .value();
        } catch (NoSuchFieldException e) {
            return s.name();
        }
    }

    private static Map<String, Long> flatten(List<KafkaState.GroupOffsets> groups) {
        Map<String, Long> flat = new LinkedHashMap<>();
        groups.forEach(g -> g.offsets().forEach((tp, o) -> flat.put(g.group() + "/" + tp, o)));
        return flat;
    }

    private static void compare(String prefix, Map<String, Long> expected, Map<String, Long> actual,
                                Map<String, Long> counts, List<String> mismatches) {
        expected.forEach((k, v) -> {
            Long now = actual.get(k);
            counts.put(prefix + k, now);
            if (!Objects.equals(v, now)) {
                mismatches.add(prefix + k + " is " + now + ", the backup has " + v);
            }
        });
    }

    private static Artifact artifact(BackupManifest manifest, String name) {
        return manifest.artifacts().stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> Failures.permanent("ChecksumMismatch", "backup " + manifest.backupId()
                        + " has no " + name));
    }

    private static void heartbeat() {
        try {
            Activity.getExecutionContext().heartbeat(null);
        } catch (IllegalStateException e) {
            // outside an activity
        }
    }

    private <T> T inWorkDir(ScratchDirs.Task<T> task) {
        return ScratchDirs.inScratchDir(resources.workDir(), "restore-", task);
    }
}
