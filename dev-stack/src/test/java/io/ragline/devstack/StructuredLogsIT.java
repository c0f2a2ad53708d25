package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragline.core.runtime.Resources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * RAGLINE_LOG_FORMAT on what the images run: {@code ragline serve <role>} from the packaged jar and
 * {@code target/lib} (as {@link LauncherIT} runs it), in a JVM of its own, against an embedded broker.
 * With json, every line the service writes (stdout and stderr) is one JSON object with the fields
 * log aggregators index; text, the default, stays human-readable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StructuredLogsIT {
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final String RUNNING = "ragline ingest is running";
    /**
     * The one line no logging configuration reaches: the JVM prints it for {@code --add-modules
     * jdk.incubator.vector} (Lucene's SIMD code; the image's entrypoint passes it too) before main.
     */
    private static final String JVM_INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

    /** Strict: a line with anything after its object is not a JSON line. */
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @TempDir
    static Path dir;
    private final Resources infra = new Resources();
    private String bootstrap;

    @BeforeAll
    void kafka() throws IOException {
        bootstrap = infra.add(EmbeddedKafka.start(dir.resolve("kafka"), FreePorts.next(), FreePorts.next())).bootstrapServers();
    }

    @AfterAll
    void stop() {
        infra.close();
    }

    @Test
    void jsonWritesOneObjectPerLineWithRoleLevelLoggerMessageTimestampAndThread() throws Exception {
        List<String> lines = withoutJvmWarning(serveIngestUntilRunning("json"));
        assertThat(lines).isNotEmpty();
        boolean running = false;
        for (String line : lines) {
            JsonNode event = parse(line);
            assertThat(event.path("role").asText()).as(line).isEqualTo("ingest");
            assertThat(event.path("level").asText()).as(line).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
            assertThat(event.path("logger_name").asText()).as(line).isNotBlank();
            assertThat(event.path("message").asText()).as(line).isNotBlank();
            assertThat(event.path("thread_name").asText()).as(line).isNotBlank();
            assertThat(Instant.parse(event.path("@timestamp").asText())).as(line).isNotNull();
            if (event.path("message").asText().startsWith(RUNNING)) {
                running = true;
                assertThat(event.path("level").asText()).isEqualTo("INFO");
                assertThat(event.path("logger_name").asText()).isEqualTo("io.ragline.devstack.cli.ServeCommand");
                assertThat(event.path("thread_name").asText()).isEqualTo("main");
            }
        }
        assertThat(running).as("the start line is a JSON log line too:%n%s", String.join("\n", lines)).isTrue();
    }

    @Test
    void textIsTheDefaultAndIsNotJson() throws Exception {
        List<String> lines = serveIngestUntilRunning(null);
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\S+ - " + RUNNING + ".*"));
        for (String line : lines) {
            assertThat(line).as("a text line").doesNotStartWith("{");
        }
    }

    @Test
    void aServiceThatCannotStartLogsWhyWithTheStackAsAField() throws Exception {
        // search needs RAGLINE_JDBC_URL: it fails at start, after loading the model
        ProcessBuilder builder = LauncherIT.ragline("serve", "search").redirectErrorStream(true);
        environment(builder, "json", dir.resolve("search-data"));
        builder.environment().remove("RAGLINE_JDBC_URL");
        Result result = run(builder);
        assertThat(result.exit()).as(result.output()).isEqualTo(1);
        List<String> lines = withoutJvmWarning(result.output().lines().toList());
        assertThat(lines).isNotEmpty();
        JsonNode last = parse(lines.getLast());
        lines.forEach(StructuredLogsIT::parse);
        assertThat(last.path("role").asText()).isEqualTo("search");
        assertThat(last.path("level").asText()).isEqualTo("ERROR");
        assertThat(last.path("message").asText()).contains("RAGLINE_JDBC_URL must be set");
        assertThat(last.path("stack_trace").asText()).startsWith("java.lang.IllegalArgumentException")
                .contains("\tat io.ragline.devstack.serve.ServiceRoles");
    }

    @Test
    void anUnknownFormatIsAClearErrorNotSilentlyText() throws Exception {
        ProcessBuilder builder = LauncherIT.ragline("serve", "ingest").redirectErrorStream(true);
        environment(builder, "xml", dir.resolve("unknown-format"));
        Result result = run(builder);
        assertThat(result.exit()).isEqualTo(1);
        assertThat(withoutJvmWarning(result.output().lines().toList()))
                .containsExactly("error: RAGLINE_LOG_FORMAT must be text or json, was 'xml'");
    }

    /** Starts {@code ragline serve ingest}, waits until it runs, stops it with SIGTERM; all it wrote, by line. */
    private List<String> serveIngestUntilRunning(String format) throws Exception {
        Path log = TARGET.resolve("structured-logs-it-" + (format == null ? "default" : format) + ".log");
        ProcessBuilder builder = LauncherIT.ragline("serve", "ingest").redirectErrorStream(true).redirectOutput(log.toFile());
        environment(builder, format, dir.resolve("ingest-" + format));
        Process ingest = builder.start();
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(ingest.isAlive()).as("serve ingest exited early:%n%s", Files.readString(log)).isTrue();
                assertThat(Files.readString(log)).contains(RUNNING);
            });
            ingest.destroy(); // SIGTERM: the shutdown's lines are checked too
            assertThat(ingest.waitFor(60, TimeUnit.SECONDS)).as("stops within a minute").isTrue();
        } finally {
            ingest.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        return Files.readAllLines(log, StandardCharsets.UTF_8);
    }

    /** What ragline wrote: all lines but the JVM's own warning, which may only come first. */
    private static List<String> withoutJvmWarning(List<String> lines) {
        return !lines.isEmpty() && lines.getFirst().equals(JVM_INCUBATOR_WARNING) ? lines.subList(1, lines.size()) : lines;
    }

    private void environment(ProcessBuilder builder, String format, Path data) throws IOException {
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("RAGLINE_"));
        if (format != null) {
            env.put("RAGLINE_LOG_FORMAT", format);
        }
        env.put("RAGLINE_KAFKA_BOOTSTRAP", bootstrap);
        env.put("RAGLINE_PARTITIONS", "1");
        env.put("RAGLINE_DATA_DIR", data.toString());
        env.put("RAGLINE_HTTP_PORT", Integer.toString(FreePorts.next()));
    }

    private record Result(int exit, String output) {
    }

    private static Result run(ProcessBuilder builder) throws Exception {
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), output);
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode node = STRICT.readTree(line);
            assertThat(node.isObject()).as("a JSON object: %s", line).isTrue();
            return node;
        } catch (JsonProcessingException e) {
            return fail("not a JSON line: " + line, e);
        }
    }
}
