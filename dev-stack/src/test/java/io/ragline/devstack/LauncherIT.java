package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first five minutes, on what {@code ./ragline} runs: the packaged jar and the run-time
 * dependencies in {@code target/lib}, in a JVM of their own. Unit and integration tests run on the
 * test class path, which has every test-scoped library; only this test sees a dependency that the
 * platform needs at run time but gets only in tests.
 */
class LauncherIT {
    private static final Path TARGET = Path.of("target").toAbsolutePath();

    @TempDir
    Path dir;
    private Process up;

    @AfterEach
    void stop() throws InterruptedException {
        if (up != null && up.isAlive()) {
            up.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void upPublishSearchAndStopAsTheReadmeShows() throws Exception {
        int http = freePort();
        int kafka = freePort();
        Path log = TARGET.resolve("launcher-it-up.log");
        up = ragline("up", "--data-dir", dir.resolve("data").toString(), "--http-port", Integer.toString(http),
                "--kafka-port", Integer.toString(kafka), "--kafka-controller-port", Integer.toString(freePort()),
                "--postgres-port", Integer.toString(freePort()), "--temporal-port", Integer.toString(freePort()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();

        HttpClient client = HttpClient.newHttpClient();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .ignoreException(java.net.ConnectException.class).untilAsserted(() -> {
            assertThat(up.isAlive()).as("ragline up exited early:%n%s", tail(log)).isTrue();
            HttpResponse<String> ready = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + http + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
        });

        Path samples = TARGET.getParent().getParent().resolve("samples");
        Result publish = run("publish", samples.toString(), "--bootstrap-servers", "127.0.0.1:" + kafka);
        assertThat(publish.exit()).as(publish.output()).isZero();
        assertThat(publish.output()).contains("published default/atomic-versions.md");

        await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> {
            Result search = run("search", "how does ragline keep versions atomic", "--url", "http://127.0.0.1:" + http,
                    "--data-dir", dir.resolve("data").toString());
            assertThat(search.exit()).as(search.output()).isZero();
            assertThat(search.output()).contains("atomic-versions.md");
        });

        up.destroy(); // SIGTERM, as Ctrl-C or Kubernetes would
        assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("stops within a minute").isTrue();
        assertThat(Files.readString(log)).contains("ragline stopped.");
    }

    private record Result(int exit, String output) {
    }

    private Result run(String... args) throws Exception {
        Process p = ragline(args).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), output);
    }

    /** The command line of the {@code ./ragline} launcher script, on this JVM. */
    static ProcessBuilder ragline(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true", "--add-modules", "jdk.incubator.vector"));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-cp", TARGET.resolve("ragline-dev-stack.jar") + java.io.File.pathSeparator
                + TARGET.resolve("lib") + java.io.File.separator + "*", "io.ragline.devstack.cli.RaglineCli"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DJL_OFFLINE", "true");
        return builder;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static int freePort() throws IOException {
        return FreePorts.next();
    }
}
