package io.ragline.devstack.cli;

import io.ragline.devstack.serve.Temporal;
import io.ragline.core.runtime.Resources;
import io.ragline.ingest.reindex.ReindexProgress;
import io.ragline.ingest.reindex.ReindexRequest;
import io.ragline.ingest.reindex.ReindexWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.TemporalFailure;
import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ragline reindex}: starts ReindexWorkflow on a running platform and prints its progress until it ends. */
@Command(name = "reindex", mixinStandardHelpOptions = true,
        description = {"Re-embed every active chunk into a new index generation while the current one keeps serving, "
                + "then switch searches to it atomically and delete the old one (e.g. after changing the embedding model).",
                "Starts " + ReindexWorkflow.TYPE + " on task queue " + ReindexWorkflow.TASK_QUEUE + " (the same as starting it "
                        + "from the Temporal UI with input {\"reason\": \"...\", \"batchSize\": 500}), prints a line whenever "
                        + "its progress query changes, exits 0 when the new generation serves and 1 with the reason if it "
                        + "failed (the old generation then still serves)."})
final class ReindexCommand implements Callable<Integer> {
    @Mixin
    OpsCommand.Connection connection;

    @Option(names = "--reason", defaultValue = "ragline reindex", description = "Why, shown in the progress (default: ${DEFAULT-VALUE}).")
    String reason;

    @Option(names = "--batch-size", description = "Chunks read per scan activity (default 500).")
    Integer batchSize;

    @Option(names = "--model", description = "Fill the new generation only with embeddings of this model id "
            + "(what the embedding workers stamp); default: any model of the serving vector dimension.")
    String model;

    @Option(names = "--fill-timeout-minutes", description = "Fail (and drop the new generation) if it does not hold "
            + "every active chunk this long after the scan (default 120).")
    Integer fillTimeoutMinutes;

    @Option(names = "--workflow-id", description = "Workflow id (default: reindex/<UTC timestamp>).")
    String workflowId;

    @Override
    public Integer call() {
        return run(System.out, System.err);
    }

    int run(PrintStream out, PrintStream err) {
        String id = workflowId != null ? workflowId : "reindex/" + OpsCommand.timestamp();
        try (Resources resources = new Resources()) {
            WorkflowClient client;
            try {
                client = Temporal.connect(connection.target, connection.namespace, resources);
            } catch (RuntimeException e) {
                err.println("error: no Temporal at " + connection.target + " (is `./ragline up` running?): " + e.getMessage());
                return 1;
            }
            ReindexWorkflow stub = client.newWorkflowStub(ReindexWorkflow.class, WorkflowOptions.newBuilder()
                    .setTaskQueue(ReindexWorkflow.TASK_QUEUE).setWorkflowId(id).build());
            try {
                WorkflowClient.start(stub::run, new ReindexRequest(reason, batchSize, model, fillTimeoutMinutes, null, null));
            } catch (RuntimeException e) {
                err.println("error: could not start " + ReindexWorkflow.TYPE + " " + id + ": " + e.getMessage());
                return 1;
            }
            out.printf("%s %s started (task queue %s)%n", ReindexWorkflow.TYPE, id, ReindexWorkflow.TASK_QUEUE);
            return follow(stub, id, out, err);
        }
    }

    private int follow(ReindexWorkflow stub, String id, PrintStream out, PrintStream err) {
        // the typed stub's own call would block; the untyped view of the same execution waits asynchronously
        CompletableFuture<ReindexProgress> result = WorkflowStub.fromTyped(stub).getResultAsync(ReindexProgress.class);
        long deadline = System.nanoTime() + connection.timeout.toNanos();
        String last = null;
        try {
            while (true) {
                try {
                    ReindexProgress done = result.get(1, TimeUnit.SECONDS);
                    print(done, last, out);
                    out.printf("generation %d serves now: %d chunks re-embedded in %.1f s%n", done.generation(),
                            done.chunksIndexed(), (System.currentTimeMillis() - done.startedAtMillis()) / 1000.0);
                    return 0;
                } catch (TimeoutException e) {
                    last = print(query(stub), last, out);
                    if (System.nanoTime() > deadline) {
                        err.println("error: gave up waiting after " + connection.timeout + "; " + id
                                + " goes on (watch it in the Temporal UI)");
                        return 1;
                    }
                } catch (ExecutionException e) {
                    ReindexProgress progress = query(stub);
                    print(progress, last, out);
                    String why = progress != null && progress.detail() != null ? progress.detail() : reason(e.getCause());
                    err.println("error: " + ReindexWorkflow.TYPE + " " + id + " failed: " + why);
                    return 1;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted; " + id + " goes on");
            return 1;
        }
    }

    private static ReindexProgress query(ReindexWorkflow stub) {
        try {
            return stub.progress();
        } catch (RuntimeException e) {
            return null; // not picked up by a worker yet: next time
        }
    }

    /** Prints the progress when it changed; returns its line. */
    private static String print(ReindexProgress p, String last, PrintStream out) {
        if (p == null) {
            return last;
        }
        String line = String.format("  %-9s generation %d: %d scanned, %d republished, %d of %d chunks indexed%s",
                p.phase(), p.generation(), p.chunksScanned(), p.chunksRepublished(), p.chunksIndexed(), p.expectedChunks(),
                p.detail() == null ? "" : " (" + p.detail() + ")");
        if (!Objects.equals(line, last)) {
            out.println(line);
            out.flush();
        }
        return line;
    }

    private static String reason(Throwable failure) {
        Throwable t = failure instanceof WorkflowFailedException wf && wf.getCause() != null ? wf.getCause() : failure;
        while (t != null && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof TemporalFailure tf ? tf.getOriginalMessage() : t == null ? "unknown" : t.getMessage();
    }
}
