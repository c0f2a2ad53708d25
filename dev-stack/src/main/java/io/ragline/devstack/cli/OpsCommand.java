package io.ragline.devstack.cli;

import io.ragline.core.config.Env;
import io.ragline.ops.OpsStatus;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.StepEntry;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.TemporalFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ragline ops backup|restore|dr|deploy}: starts an operations workflow on a running platform and follows it. */
@Command(name = "ops", mixinStandardHelpOptions = true,
        description = {"Operations on Temporal against a running platform: backup, restore, disaster recovery, deploy.",
                "Each starts its workflow on task queue " + OpsWorker.TASK_QUEUE + ", prints its steps as they go "
                        + "(the workflow's status query) and exits non-zero if it failed."},
        subcommands = {OpsBackupCommand.class, OpsRestoreCommand.class, OpsDrCommand.class, OpsDeployCommand.class})
final class OpsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Where and how to reach Temporal; shared by the subcommands. */
    static final class Connection {
        @Option(names = "--temporal", defaultValue = "${env:RAGLINE_TEMPORAL_TARGET:-127.0.0.1:7233}",
                description = "Temporal frontend host:port (RAGLINE_TEMPORAL_TARGET, default: ${DEFAULT-VALUE}).")
        String target;

        @Option(names = "--namespace", defaultValue = "${env:RAGLINE_TEMPORAL_NAMESPACE:-default}",
                description = "Temporal namespace (RAGLINE_TEMPORAL_NAMESPACE, default: ${DEFAULT-VALUE}).")
        String namespace;

        @Option(names = "--timeout", defaultValue = "PT2H",
                description = "Give up waiting after this long, ISO-8601 (default: ${DEFAULT-VALUE}); the workflow goes on.")
        Duration timeout;
    }

    /** The backup location this machine's platform uses by default: RAGLINE_BACKUP_TARGET, else file://<data dir>/backups. */
    static String defaultBackupTarget() {
        Map<String, String> env = System.getenv();
        return Env.RAGLINE_BACKUP_TARGET.lookup(env).orElse(Path.of(Env.RAGLINE_DATA_DIR.get(env)).toAbsolutePath()
                .normalize().resolve("backups").toUri().toString());
    }

    static String timestamp() {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
    }

    /** Outcome of {@link #follow}: the result, or null after printing why it failed. */
    record Outcome<R>(R result, OpsStatus status) {
    }

    /**
     * Starts workflow {@code workflow} under {@code workflowId} through a typed stub ({@code start}, e.g.
     * {@code stub -> WorkflowClient.start(stub::backup, request)}, so the compiler checks the input's type),
     * prints each step of its {@code status} query as it starts and ends (on {@code progress}), and returns
     * its result; null when it failed or could not be started (the reason printed on {@code err}).
     */
    static <W, R> Outcome<R> follow(Connection connection, Class<W> workflow, String workflowId,
                                    Function<W, WorkflowExecution> start, Function<W, OpsStatus> status,
                                    Class<R> resultType, PrintWriter progress, PrintWriter err) {
        String workflowType = workflow.getSimpleName(); // the type name Temporal registers for the interface
        WorkflowServiceStubs stubs;
        try {
            stubs = WorkflowServiceStubs.newConnectedServiceStubs(
                    WorkflowServiceStubsOptions.newBuilder().setTarget(connection.target).build(), Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            err.println("error: no Temporal at " + connection.target + " (is `./ragline up` running?): " + e.getMessage());
            return new Outcome<>(null, null);
        }
        try {
            WorkflowClient client = WorkflowClient.newInstance(stubs,
                    WorkflowClientOptions.newBuilder().setNamespace(connection.namespace).build());
            W stub = client.newWorkflowStub(workflow, WorkflowOptions.newBuilder()
                    .setTaskQueue(OpsWorker.TASK_QUEUE)
                    .setWorkflowId(workflowId)
                    .build());
            try {
                start.apply(stub);
            } catch (RuntimeException e) {
                err.println("error: could not start " + workflowType + " " + workflowId + ": " + e.getMessage());
                return new Outcome<>(null, null);
            }
            progress.printf("%s %s started (task queue %s)%n", workflowType, workflowId, OpsWorker.TASK_QUEUE);
            // the typed stub's own call would block; the untyped view of the same execution waits asynchronously
            CompletableFuture<R> result = WorkflowStub.fromTyped(stub).getResultAsync(resultType);
            Supplier<OpsStatus> query = () -> status.apply(stub);
            Map<Integer, String> printed = new HashMap<>();
            long deadline = System.nanoTime() + connection.timeout.toNanos();
            while (true) {
                try {
                    R r = result.get(1, TimeUnit.SECONDS);
                    OpsStatus last = printSteps(query, printed, progress);
                    return new Outcome<>(r, last);
                } catch (TimeoutException e) {
                    printSteps(query, printed, progress);
                    if (System.nanoTime() > deadline) {
                        err.println("error: gave up waiting after " + connection.timeout + "; " + workflowId
                                + " goes on (watch it in the Temporal UI)");
                        return new Outcome<>(null, null);
                    }
                } catch (ExecutionException e) {
                    OpsStatus last = printSteps(query, printed, progress);
                    err.println("error: " + workflowType + " " + workflowId + " failed: " + reason(e.getCause(), last));
                    return new Outcome<>(null, last);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted; " + workflowId + " goes on");
            return new Outcome<>(null, null);
        } finally {
            stubs.shutdown();
            stubs.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static String reason(Throwable failure, OpsStatus status) {
        if (status != null && status.reason() != null) {
            return status.reason();
        }
        Throwable t = failure instanceof WorkflowFailedException wf && wf.getCause() != null ? wf.getCause() : failure;
        if (t instanceof TemporalFailure tf) {
            return tf.getOriginalMessage();
        }
        return t == null ? "unknown" : t.getMessage();
    }

    /** Prints steps not printed yet, or whose outcome changed; returns the status (null if it cannot be read). */
    private static OpsStatus printSteps(Supplier<OpsStatus> query, Map<Integer, String> printed, PrintWriter out) {
        OpsStatus status;
        try {
            status = query.get();
        } catch (RuntimeException e) {
            return null; // not yet picked up by a worker, or the query raced the start: next time
        }
        if (status == null || status.steps() == null) {
            return status;
        }
        for (int i = 0; i < status.steps().size(); i++) {
            StepEntry step = status.steps().get(i);
            if (step.outcome().equals(printed.get(i))) {
                continue;
            }
            printed.put(i, step.outcome());
            if ("RUNNING".equals(step.outcome())) {
                out.printf("  ... %s%n", step.name());
            } else {
                String took = step.startedAt() != null && step.finishedAt() != null
                        ? String.format(" (%.1f s)", Duration.between(step.startedAt(), step.finishedAt()).toMillis() / 1000.0)
                        : "";
                out.printf("  %-6s %s%s%s%n", step.outcome(), step.name(), took,
                        step.detail() == null ? "" : ": " + step.detail());
            }
        }
        out.flush();
        return status;
    }
}
