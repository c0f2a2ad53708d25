package io.ragline.devstack.cli;

import io.ragline.ops.restore.RestoreRequest;
import io.ragline.ops.restore.RestoreResult;
import io.ragline.ops.restore.RestoreWorkflow;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Run RestoreWorkflow: verify checksums, pause ingestion, restore metadata, index and Kafka "
                + "offsets, verify counts and probe queries, resume ingestion (also when something fails)."})
final class OpsRestoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OpsCommand.Connection connection;

    @Parameters(paramLabel = "BACKUP_ID", defaultValue = "latest",
            description = "The backup to restore, as `ops backup` printed it, or latest (default).")
    String backupId;

    @Option(names = "--target", description = "Where the backup lives: file:///path or s3://bucket/prefix "
            + "(default: RAGLINE_BACKUP_TARGET, else file://<RAGLINE_DATA_DIR>/backups).")
    String target;

    @Option(names = "--scope", split = ",", paramLabel = "SCOPE",
            description = "Restore only these: metadata, index, kafkaOffsets (default: what the backup holds).")
    List<String> scope;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String from = target != null ? target : OpsCommand.defaultBackupTarget();
        RestoreRequest request = new RestoreRequest(backupId, from, OpsBackupCommand.scopes(scope), null);
        var outcome = OpsCommand.follow(connection, RestoreWorkflow.class, "restore/" + OpsCommand.timestamp(),
                stub -> WorkflowClient.start(stub::restore, request), RestoreWorkflow::status, RestoreResult.class,
                out, err);
        RestoreResult result = outcome.result();
        if (result == null) {
            return 1;
        }
        out.printf("restored %s (taken %s): %s; %d probe queries returned what they did at backup time%n",
                result.backupId(), result.createdAt(), result.counts(), result.probesChecked());
        return 0;
    }
}
