package io.ragline.devstack.cli;

import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ragline} command line: run the embedded platform, publish documents, search. */
@Command(name = "ragline", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Stream documents into a hybrid (BM25 + vector) retrieval index and search it.",
        subcommands = {UpCommand.class, PublishCommand.class, SearchCommand.class, EvalCommand.class, KeysCommand.class,
                ServeCommand.class, OpsCommand.class, ReindexCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Start with:  ./ragline up        then, in another terminal:",
                "             ./ragline publish samples/",
                "             ./ragline search \"how are document versions activated\""})
public final class RaglineCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        LogFormat format;
        try {
            format = LogFormat.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return;
        }
        format.install();
        int exit = new CommandLine(new RaglineCli())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (format == LogFormat.json) { // a service that fails to start says why in a JSON line
                        LoggerFactory.getLogger(RaglineCli.class).error("error: {}", e.getMessage(), e);
                    } else {
                        cmd.getErr().println(cmd.getColorScheme().errorText("error: " + e.getMessage()));
                    }
                    return 1;
                })
                .execute(args);
        // up and serve return only when the JVM is shutting down; calling exit then would block
        String command = args.length > 0 ? args[0] : "";
        if (exit != 0 || !(command.equals("up") || command.equals("serve"))) {
            System.exit(exit);
        }
    }
}
