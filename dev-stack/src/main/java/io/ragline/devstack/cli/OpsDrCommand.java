package io.ragline.devstack.cli;

import io.ragline.ops.dr.DisasterRecoveryWorkflow;
import io.ragline.ops.dr.DrMode;
import io.ragline.ops.dr.DrRequest;
import io.ragline.ops.dr.DrResult;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "dr", mixinStandardHelpOptions = true,
        description = {"Run DisasterRecoveryWorkflow: restore the newest backup into another environment, smoke-test "
                + "it, then tear it down (DRILL) or switch traffic to it (FAILOVER); prints the measured RPO and RTO.",
                "On the embedded platform an environment is a second platform in the same JVM, on free ports and "
                        + "<data dir>/environments/<name>."})
final class OpsDrCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OpsCommand.Connection connection;

    @Option(names = "--mode", defaultValue = "DRILL", description = "DRILL or FAILOVER (default: ${DEFAULT-VALUE}).")
    DrMode mode;

    @Option(names = "--source", description = "Where the backups are (default: RAGLINE_BACKUP_TARGET, else "
            + "file://<RAGLINE_DATA_DIR>/backups).")
    String source;

    @Option(names = "--target", defaultValue = "dr", description = "Environment to recover into (default: ${DEFAULT-VALUE}).")
    String target;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String from = source != null ? source : OpsCommand.defaultBackupTarget();
        DrRequest request = new DrRequest(mode, from, target);
        var outcome = OpsCommand.follow(connection, DisasterRecoveryWorkflow.class, "dr/" + target,
                stub -> WorkflowClient.start(stub::recover, request), DisasterRecoveryWorkflow::status, DrResult.class,
                out, err);
        DrResult result = outcome.result();
        if (result == null) {
            return 1;
        }
        out.printf("%s into %s from backup %s (taken %s)%n", result.mode(), result.environment(),
                result.backupId(), result.backupCreatedAt());
        out.printf("RPO: %d s (age of the restored data)%n", result.rpoSeconds());
        if (result.rpoDocuments() == null) {
            out.println("RPO: documents lost unknown (the source's ragline.documents was unreadable)");
        } else if (result.rpoDocuments() == 0) {
            out.println("RPO: 0 documents lost (none acknowledged after the backup)");
        } else {
            out.printf("RPO: %d documents lost, acknowledged from %s to %s%n", result.rpoDocuments(),
                    result.rpoWindowStart(), result.rpoWindowEnd());
        }
        out.printf("RTO: %d s (until the environment served)%n", result.rtoSeconds());
        if (result.tornDown()) {
            out.println("the environment was torn down");
        }
        return 0;
    }
}
