package io.ragline.devstack.ops;

import io.ragline.devstack.FreePorts;
import io.ragline.devstack.EmbeddedPlatform;
import io.ragline.devstack.PlatformSettings;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.dr.EnvironmentInfo;
import io.ragline.ops.dr.Environments;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disaster-recovery environments of the embedded runtime. An environment is a whole second
 * platform in this JVM: its own Kafka broker, PostgreSQL, Lucene index, embedding worker, search
 * API and Temporal test server, on free ports and under {@code <data>/environments/<name>}; nothing
 * is shared with the primary but the JVM, so a restore into it proves that a backup alone brings
 * ragline back. Its restore activities run on a worker that polls the primary's Temporal on
 * {@link OpsWorker#environmentTaskQueue}, bound to the environment's own database, index and Kafka.
 */
public final class EmbeddedEnvironments implements Environments, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedEnvironments.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    /** Ingestion starts again at the end of a restore: the topology needs a moment to rejoin its group. */
    private static final java.time.Duration READY_TIMEOUT = java.time.Duration.ofMinutes(2);

    private record Running(EmbeddedPlatform platform, WorkerFactory restoreWorker, EnvironmentInfo info) {
    }

    private final Path root;
    private final PlatformSettings primary;
    private final WorkflowClient client;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, Map<String, List<String>>> smokeAnswers = new ConcurrentHashMap<>();

    /** The primary's admin key: a restored environment holds the primary's keys, not its own. */
    private final java.util.function.Supplier<String> apiKey;

    /**
     * @param root    where environments keep their data
     * @param primary the primary's settings: environments use the same model, vector format and fusion
     * @param client  the primary's Temporal client (the environment's restore worker polls through it)
     * @param apiKey  the primary's admin key
     */
    public EmbeddedEnvironments(Path root, PlatformSettings primary, WorkflowClient client,
                                java.util.function.Supplier<String> apiKey) {
        this.apiKey = apiKey;
        this.root = root;
        this.primary = primary;
        this.client = client;
    }

    /** Any valid name can start: an environment is made on demand, in its own data directory. */
    @Override
    public List<String> check(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return List.of("environment name must match " + NAME + ", was '" + name + "'");
        }
        return List.of();
    }

    @Override
    public synchronized EnvironmentInfo start(String name) {
        Running r = running.get(checked(name));
        if (r != null) {
            return r.info();
        }
        Path dir = root.resolve(name);
        PlatformSettings settings = new PlatformSettings(dir, primary.host(), freePort(), freePort(), freePort(),
                freePort(), freePort(), primary.partitions(), primary.embedThreads(), primary.embedBatch(),
                primary.indexTimeout(), primary.modelDir(), primary.fusion(), primary.vectorFormat());
        log.info("starting environment {} in {}", name, dir);
        EmbeddedPlatform platform = EmbeddedPlatform.start(settings, new PrintStream(OutputStream.nullOutputStream()));
        try {
            WorkerFactory factory = WorkerFactory.newInstance(client);
            OpsWorker.registerRestoreTarget(factory.newWorker(OpsWorker.environmentTaskQueue(name)),
                    platform.opsResources());
            factory.start();
            String host = "0.0.0.0".equals(primary.host()) ? "127.0.0.1" : primary.host();
            EnvironmentInfo info = new EnvironmentInfo(name, OpsWorker.environmentTaskQueue(name),
                    "http://" + host + ":" + platform.httpPort());
            running.put(name, new Running(platform, factory, info));
            log.info("environment {} is up: {}", name, info.endpoint());
            return info;
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
    }

    /** Ready, and each of a few of its active documents is found by its title. */
    @Override
    public List<String> smokeTest(String name) {
        Running r = running.get(checked(name));
        if (r == null) {
            return List.of("environment " + name + " is not running");
        }
        EnvironmentSmokeTest test = new EnvironmentSmokeTest(new HttpSearchProbe(URI.create(r.info().endpoint()), apiKey),
                r.platform().opsResources().metadata(), READY_TIMEOUT);
        List<String> failures = test.run(r.info().endpoint());
        smokeAnswers.put(name, test.answers());
        return failures;
    }

    /** What the last smoke test of {@code name} searched and got (query to document ids); for tests and operators. */
    public Map<String, List<String>> lastSmokeAnswers(String name) {
        return smokeAnswers.getOrDefault(name, Map.of());
    }

    /** The running environment's platform, or null. */
    public EmbeddedPlatform platform(String name) {
        Running r = running.get(name);
        return r == null ? null : r.platform();
    }

    @Override
    public synchronized void tearDown(String name) {
        Running r = running.remove(checked(name));
        if (r != null) {
            log.info("tearing down environment {}", name);
            stop(r);
        }
        deleteRecursively(root.resolve(name));
    }

    private static void stop(Running r) {
        r.restoreWorker().shutdown();
        r.restoreWorker().awaitTermination(10, TimeUnit.SECONDS);
        r.platform().close();
    }

    @Override
    public synchronized void close() {
        running.values().forEach(EmbeddedEnvironments::stop);
        running.clear();
    }

    private static String checked(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("environment name must match " + NAME + ", was '" + name + "'");
        }
        return name;
    }

    private static int freePort() {
        return FreePorts.next();
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
