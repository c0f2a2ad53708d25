package io.ragline.devstack.cli;

import io.ragline.ops.backup.BackupRequest;
import io.ragline.ops.backup.BackupResult;
import io.ragline.ops.backup.BackupScope;
import io.ragline.ops.backup.BackupWorkflow;
import io.ragline.ops.backup.ProbeQuery;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Run BackupWorkflow: metadata, a consistent index snapshot and Kafka offsets, with a manifest of "
                + "SHA-256 checksums. Prints the steps on stderr and the backup id on stdout."})
final class OpsBackupCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OpsCommand.Connection connection;

    @Option(names = "--scope", split = ",", paramLabel = "SCOPE",
            description = "What to back up: metadata, index, kafkaOffsets, kubernetesConfig "
                    + "(default: the worker's, metadata,index,kafkaOffsets).")
    List<String> scope;

    @Option(names = "--target", description = "file:///path or s3://bucket/prefix (default: the worker's, "
            + "RAGLINE_BACKUP_TARGET of the platform or file://<its data dir>/backups).")
    String target;

    @Option(names = "--retention-days", description = "Delete complete backups older than this (default: 7).")
    Integer retentionDays;

    @Option(names = "--probe", paramLabel = "QUERY",
            description = "A query whose top results a restore must reproduce (repeatable).")
    List<String> probes;

    @Option(names = "--tenant", defaultValue = "${env:RAGLINE_TENANT:-default}",
            description = "Tenant of the probe queries (RAGLINE_TENANT, default: ${DEFAULT-VALUE}).")
    String tenant;

    @Option(names = "--probe-k", defaultValue = "5", description = "Top results recorded per probe (default: ${DEFAULT-VALUE}).")
    int probeK;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<ProbeQuery> probeQueries = null;
        if (probes != null) {
            probeQueries = new ArrayList<>();
            for (String q : probes) {
                probeQueries.add(new ProbeQuery(tenant, q, probeK));
            }
        }
        BackupRequest request = new BackupRequest(scopes(scope), target, retentionDays, null, probeQueries);
        var outcome = OpsCommand.follow(connection, BackupWorkflow.class, "backup/" + OpsCommand.timestamp(),
                stub -> WorkflowClient.start(stub::backup, request), BackupWorkflow::status, BackupResult.class,
                err, err);
        BackupResult result = outcome.result();
        if (result == null) {
            return 1;
        }
        err.printf("backup %s: %d files, %d bytes in %s%n", result.backupId(), result.artifacts(),
                result.totalBytes(), result.target());
        if (!result.deleted().isEmpty()) {
            err.println("retention deleted " + result.deleted());
        }
        out.println(result.backupId());
        return 0;
    }

    static List<BackupScope> scopes(List<String> names) {
        if (names == null || names.isEmpty()) {
            return null;
        }
        List<BackupScope> out = new ArrayList<>();
        for (String n : names) {
            String key = n.strip().toLowerCase(Locale.ROOT);
            out.add(switch (key) {
                case "metadata" -> BackupScope.METADATA;
                case "index" -> BackupScope.INDEX;
                case "kafkaoffsets", "kafka-offsets", "kafka" -> BackupScope.KAFKA_OFFSETS;
                case "kubernetesconfig", "kubernetes-config", "kubernetes" -> BackupScope.KUBERNETES_CONFIG;
                default -> throw new IllegalArgumentException("unknown scope '" + n
                        + "': use metadata, index, kafkaOffsets or kubernetesConfig");
            });
        }
        return out;
    }
}
