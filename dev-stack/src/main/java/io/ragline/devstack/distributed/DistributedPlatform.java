package io.ragline.devstack.distributed;

import com.zaxxer.hikari.HikariDataSource;
import io.ragline.core.json.Json;
import io.ragline.core.runtime.Resources;
import io.ragline.core.store.ApiKeyStore;
import io.ragline.core.store.Database;
import io.ragline.devstack.DataDirLock;
import io.ragline.devstack.DevApiKey;
import io.ragline.devstack.EmbeddedKafka;
import io.ragline.devstack.EmbeddedPostgres;
import io.ragline.devstack.EmbeddedTemporal;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/**
 * ragline distributed on one machine ({@code ./ragline up --distributed}): the engines (Kafka,
 * the Temporal test server and PostgreSQL in this JVM; S3Proxy, Prometheus, the blackbox and
 * node exporters as processes of their own), then every role as its own OS process, {@code ragline
 * serve <role>} configured only by the environment docker-compose.yml gives that role, with
 * compose's service addresses turned into local ports. A supervisor restarts a role process
 * that exits. Prometheus scrapes each role under the labels the shipped ServiceMonitor gives it
 * on Kubernetes. No Docker needed: it is how the distributed form runs and is tested here.
 */
public final class DistributedPlatform implements AutoCloseable {
    public static final String NAMESPACE = "ragline-local";
    /** The Prometheus job of the blackbox probes, as in monitoring/prometheus/prometheus.yml. */
    public static final String PROBE_MODULE = "tcp_connect";
    private static final String HOST = "127.0.0.1";
    private static final List<String> ROLE_ORDER = List.of("ingest", "search", "embedder", "workflows");
    private static final Pattern COMPOSE_ADDRESS = Pattern.compile("(?<![A-Za-z0-9.-])([a-z][a-z0-9-]*):(\\d{2,5})");

    private final DistributedSettings settings;
    private final PrintStream out;
    private final Resources engines = new Resources();
    private final List<Supervised> roles = new ArrayList<>();
    private final List<RoleInstance> layout = new ArrayList<>();
    private final List<Supervised> sidecars = new ArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ragline-supervisor");
        t.setDaemon(true);
        return t;
    });
    private final long t0 = System.nanoTime();
    private Path root;
    private String devApiKey;
    private String jdbcUrl;
    private String backupTarget;
    private boolean prometheusRuns;

    private DistributedPlatform(DistributedSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /** Starts everything, printing progress; on failure stops what had started. */
    public static DistributedPlatform start(DistributedSettings settings, PrintStream out) {
        DistributedPlatform platform = new DistributedPlatform(settings, out);
        try {
            platform.startAll();
            return platform;
        } catch (RuntimeException | IOException e) {
            platform.close();
            throw e instanceof RuntimeException re ? re : new UncheckedIOException((IOException) e);
        }
    }

    private void startAll() throws IOException {
        Path data = settings.dataDir().toAbsolutePath().normalize();
        root = data.resolve("distributed");
        Files.createDirectories(root.resolve("logs"));
        engines.add(DataDirLock.acquire(root));
        ComposeServices compose = ComposeServices.bundled(System::getenv);

        step("Kafka broker (KRaft)");
        EmbeddedKafka kafka = engines.add(EmbeddedKafka.start(root.resolve("kafka"), settings.kafkaPort(),
                settings.kafkaControllerPort()));
        step("Temporal test server");
        EmbeddedTemporal temporal = engines.add(EmbeddedTemporal.start(settings.temporalPort()));
        step("PostgreSQL");
        EmbeddedPostgres postgres = engines.add(EmbeddedPostgres.start(root.resolve("postgres"), settings.postgresPort()));

        Map<String, String> workflowsEnv = compose.ofRole("workflows").getFirst().environment();
        Optional<URI> s3Endpoint = Optional.ofNullable(workflowsEnv.get("RAGLINE_S3_ENDPOINT"))
                .filter(v -> !v.isBlank()).map(URI::create);
        Map<String, String> addresses = addresses(kafka.bootstrapServers(), temporal.port(), postgres.port(),
                settings.apiPort(), s3Endpoint, settings.s3Port());

        Map<String, String> searchEnv = localize(compose.ofRole("search").getFirst().environment(), addresses);
        if ("milvus".equalsIgnoreCase(searchEnv.getOrDefault("RAGLINE_STORE", "lucene").strip())) {
            throw new IllegalStateException("RAGLINE_STORE=milvus needs a Milvus server, which ./ragline up --distributed "
                    + "does not run; unset RAGLINE_STORE (compose reads it from the shell)");
        }
        jdbcUrl = searchEnv.get("RAGLINE_JDBC_URL");
        createDatabase(postgres, jdbcUrl, searchEnv.get("RAGLINE_JDBC_USER"), searchEnv.get("RAGLINE_JDBC_PASSWORD"));
        // the DR standby's own database, as compose's postgres-init makes it
        String standbyUrl = localize(workflowsEnv, addresses).get("RAGLINE_DR_JDBC_URL");
        if (standbyUrl != null && !standbyUrl.isBlank()) {
            createDatabase(postgres, standbyUrl, searchEnv.get("RAGLINE_JDBC_USER"), searchEnv.get("RAGLINE_JDBC_PASSWORD"));
        }
        try (HikariDataSource db = Database.open(jdbcUrl, searchEnv.get("RAGLINE_JDBC_USER"),
                searchEnv.get("RAGLINE_JDBC_PASSWORD"), 2)) {
            devApiKey = DevApiKey.ensure(new ApiKeyStore(db), data);
        }

        step("S3-compatible object store (S3Proxy, filesystem)");
        startS3(localize(workflowsEnv, addresses), s3Endpoint.isPresent());

        int nextPort = settings.rolePortBase();
        Map<String, Integer> counts = Map.of("ingest", settings.ingests(), "embedder", settings.embedders(),
                "search", settings.searchReplicas(), "workflows", settings.workflows());
        List<Integer> searchPorts = new ArrayList<>();
        for (String role : ROLE_ORDER) {
            List<ComposeServices.Service> services = compose.ofRole(role);
            for (int i = 1; i <= counts.get(role); i++) {
                int port;
                if (role.equals("search")) {
                    port = i == 1 ? settings.apiPort() : settings.apiPort() + i - 1;
                    searchPorts.add(port);
                } else {
                    port = nextPort++;
                }
                // embedder-1, embedder-2 are two compose services with the same role: take each one's
                // environment in turn
                ComposeServices.Service service = services.get((i - 1) % services.size());
                String name = role + "-" + i;
                Map<String, String> env = localize(service.environment(), addresses);
                env.putAll(settings.roleEnv().getOrDefault(name, Map.of()));
                startRole(role, name, port, env);
            }
        }
        writeLayout();

        prometheusRuns = startMonitoring(kafka, temporal, postgres);
        awaitReady();

        String api = "http://" + HOST + ":" + settings.apiPort();
        out.printf("%n ragline (distributed) is up in %.1f s. Data: %s%n%n", seconds(), root);
        out.printf("   %-14s %8s %6s  %s%n", "process", "pid", "port", "log");
        for (int i = 0; i < roles.size(); i++) {
            Supervised r = roles.get(i);
            out.printf("   %-14s %8d %6d  %s%n", r.name(), r.pid(), layout.get(i).port(), r.log());
        }
        for (Supervised s : sidecars) {
            out.printf("   %-14s %8d %6s  %s%n", s.name(), s.pid(), "", s.log());
        }
        out.println();
        out.printf("   %-22s %s%s%n", "Search API", api, searchPorts.size() > 1
                ? "   (replicas: " + String.join(", ", searchPorts.stream().map(p -> "http://" + HOST + ":" + p).toList()) + ")" : "");
        out.printf("   %-22s %s%n", "Kafka bootstrap", kafka.bootstrapServers());
        out.printf("   %-22s %s%n", "Temporal (gRPC)", HOST + ":" + temporal.port());
        out.printf("   %-22s %s%n", "PostgreSQL", jdbcUrl);
        out.printf("   %-22s %s%n", "S3 (S3Proxy)", "http://" + HOST + ":" + settings.s3Port()
                + (backupTarget == null ? "" : "   backups: " + backupTarget));
        out.printf("   %-22s %s%n", "Prometheus", prometheusRuns
                ? "http://" + HOST + ":" + settings.prometheusPort() + "   (alerts: /alerts, targets: /targets)"
                : "not started: no prometheus binary on the PATH (Debian: apt-get install prometheus)");
        out.printf("   %-22s %s%n", "API key (development)", devApiKey);
        out.printf("   %-22s %s%n", "", "tenant default, every scope; kept in " + data.resolve(DevApiKey.FILE));
        out.printf("%n The supervisor restarts a role process that exits (kill -9 one to see it); PIDs in %s.%n",
                root.resolve("roles.json"));
        out.println(" Ctrl-C stops everything, roles first, in reverse order.");
        out.flush();
    }

    // ---- the role processes --------------------------------------------------------------------

    /** Where each compose service address compose's ragline services name lives here. */
    static Map<String, String> addresses(String kafka, int temporalPort, int postgresPort, int apiPort,
                                         Optional<URI> s3Endpoint, int s3Port) {
        Map<String, String> addresses = new LinkedHashMap<>();
        addresses.put("kafka:9092", kafka);
        addresses.put("temporal:7233", HOST + ":" + temporalPort);
        addresses.put("postgres:5432", HOST + ":" + postgresPort);
        addresses.put("search:8080", HOST + ":" + apiPort);
        // only read with RAGLINE_STORE=milvus, which needs a Milvus this machine does not run (refused at start)
        addresses.put("milvus:19530", HOST + ":19530");
        s3Endpoint.ifPresent(uri -> addresses.put(uri.getHost() + ":" + uri.getPort(), HOST + ":" + s3Port));
        return addresses;
    }

    /** Compose's addresses ({@code kafka:9092}, {@code http://search:8080}) turned into local ones; any other is refused. */
    static Map<String, String> localize(Map<String, String> env, Map<String, String> addresses) {
        Map<String, String> local = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            String v = value;
            for (Map.Entry<String, String> a : addresses.entrySet()) {
                v = v.replace(a.getKey(), a.getValue());
            }
            var m = COMPOSE_ADDRESS.matcher(v);
            while (m.find()) {
                if (!m.group(1).equals("127.0.0.1") && !m.group(1).equals("localhost") && !addresses.containsKey(m.group())) {
                    throw new IllegalStateException(name + "=" + value + " names compose service address " + m.group()
                            + ", which ./ragline up --distributed does not run");
                }
            }
            local.put(name, v);
        });
        return local;
    }

    private void startRole(String role, String name, int port, Map<String, String> composeEnv) {
        Path roleData = root.resolve("roles").resolve(name);
        Map<String, String> env = new LinkedHashMap<>(composeEnv);
        env.put("RAGLINE_DATA_DIR", roleData.toString());
        env.put("RAGLINE_HOST", HOST);
        env.put("RAGLINE_HTTP_PORT", Integer.toString(port));
        env.put("RAGLINE_INSTANCE_ID", name);
        // the one setting that differs from compose, because the Temporal here is the Java test server:
        // it never reroutes the sticky tasks of a worker killed with -9, whose workflows would stall
        env.put("RAGLINE_TEMPORAL_STICKY", "false");
        try {
            Files.createDirectories(roleData);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        requireFree(port, name);
        ProcessBuilder builder = new ProcessBuilder(javaCommand(role)).directory(roleData.toFile());
        // only what compose sets: nothing of this shell's RAGLINE_* or JAVA_TOOL_OPTIONS leaks into a role
        builder.environment().keySet().removeIf(k -> k.startsWith("RAGLINE_") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS") || k.equals("CLASSPATH"));
        builder.environment().putAll(env);
        builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Supervised process = new Supervised(name, builder, root.resolve("logs").resolve(name + ".log"), out, scheduler);
        process.onRestart(this::writeLayout);
        roles.add(process.start());
        layout.add(new RoleInstance(name, role, "ragline-" + role, 0, port, process.log().toString(), 0));
        out.printf(" [%5.1fs] started %-12s pid %d, port %d%n", seconds(), name, process.pid(), port);
        out.flush();
    }

    /** The flags the Dockerfile's ENTRYPOINT gives every role, on this JVM and its class path. */
    private static List<String> javaCommand(String role) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dai.djl.offline=true", "-XX:+ExitOnOutOfMemoryError"));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        // the class path goes in CLASSPATH (set in startRole), so that ps shows a readable command line
        command.addAll(List.of("io.ragline.devstack.cli.RaglineCli", "serve", role));
        return command;
    }

    /** The role processes as they run now (pids change when the supervisor restarts one). */
    public synchronized List<RoleInstance> roles() {
        List<RoleInstance> now = new ArrayList<>();
        for (int i = 0; i < roles.size(); i++) {
            RoleInstance r = layout.get(i);
            Supervised s = roles.get(i);
            now.add(new RoleInstance(r.name(), r.role(), r.service(), s.pid(), r.port(), r.log(), s.restarts()));
        }
        return now;
    }

    private synchronized void writeLayout() {
        try {
            Path file = root.resolve("roles.json");
            Path tmp = root.resolve("roles.json.tmp");
            Files.writeString(tmp, Json.writeString(roles()));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            out.println(" [supervisor] cannot write roles.json: " + e.getMessage());
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        List<RoleInstance> waiting = new ArrayList<>(layout);
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            waiting.removeIf(r -> {
                if (ready(http, r.port())) {
                    out.printf(" [%5.1fs] %-12s ready%n", seconds(), r.name());
                    out.flush();
                    return true;
                }
                return false;
            });
            if (!waiting.isEmpty()) {
                pause(Duration.ofMillis(500));
            }
        }
        for (RoleInstance r : waiting) {
            out.printf(" [%5.1fs] %-12s is not ready after 5 minutes; see %s%n", seconds(), r.name(), r.log());
        }
    }

    private static boolean ready(HttpClient http, int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port + "/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---- engines as processes: S3Proxy, Prometheus, blackbox exporter ------------------------------

    private void startS3(Map<String, String> workflowsEnv, boolean composeUsesS3) throws IOException {
        String identity = workflowsEnv.getOrDefault("RAGLINE_S3_ACCESS_KEY", "ragline");
        String credential = workflowsEnv.getOrDefault("RAGLINE_S3_SECRET_KEY", "ragline-s3-dev");
        S3ProxyServer s3proxy = new S3ProxyServer(root.resolve("s3"), HOST, settings.s3Port(), identity, credential);
        requireFree(settings.s3Port(), "S3Proxy");
        ProcessBuilder builder = s3proxy.prepare(engineJar("s3proxy.jar"));
        sidecars.add(new Supervised("s3proxy", builder, root.resolve("logs").resolve("s3proxy.log"), out, scheduler).start());
        awaitPort(settings.s3Port(), "S3Proxy", Duration.ofSeconds(60));
        String target = workflowsEnv.get("RAGLINE_BACKUP_TARGET");
        if (composeUsesS3 && target != null && target.startsWith("s3://")) {
            backupTarget = target;
            String bucket = URI.create(target).getHost();
            try (S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create())
                    .region(Region.of(workflowsEnv.getOrDefault("RAGLINE_S3_REGION", "us-east-1")))
                    .forcePathStyle(true).endpointOverride(URI.create("http://" + HOST + ":" + settings.s3Port()))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(identity, credential)))
                    .build()) {
                try {
                    s3.headBucket(b -> b.bucket(bucket));
                } catch (NoSuchBucketException missing) {
                    s3.createBucket(b -> b.bucket(bucket));
                }
            }
        }
    }

    private boolean startMonitoring(EmbeddedKafka kafka, EmbeddedTemporal temporal, EmbeddedPostgres postgres)
            throws IOException {
        Optional<Path> prometheus = onPath("prometheus");
        if (prometheus.isEmpty()) {
            out.printf(" [%5.1fs] no prometheus binary on the PATH: metrics are not scraped (apt-get install prometheus)%n",
                    seconds());
            return false;
        }
        Path dir = root.resolve("prometheus");
        Files.createDirectories(dir.resolve("rules"));
        for (String rules : List.of("ragline.rules.yml", "compose.rules.yml")) {
            copyResource("ragline/deploy/monitoring/prometheus/rules/" + rules, dir.resolve("rules").resolve(rules));
        }
        Optional<Path> blackbox = onPath("prometheus-blackbox-exporter").or(() -> onPath("blackbox_exporter"));
        Map<String, String> dependencies = new LinkedHashMap<>();
        if (blackbox.isPresent()) {
            step("blackbox exporter (dependency probes)");
            Path config = root.resolve("blackbox.yml");
            copyResource("ragline/deploy/monitoring/blackbox/blackbox.yml", config);
            requireFree(settings.blackboxPort(), "blackbox exporter");
            sidecars.add(new Supervised("blackbox", new ProcessBuilder(blackbox.get().toString(),
                    "--config.file=" + config, "--web.listen-address=" + HOST + ":" + settings.blackboxPort()),
                    root.resolve("logs").resolve("blackbox.log"), out, scheduler).start());
            dependencies.put("kafka", kafka.bootstrapServers());
            dependencies.put("postgres", HOST + ":" + postgres.port());
            dependencies.put("temporal", HOST + ":" + temporal.port());
        }
        String nodeExporter = null;
        Optional<Path> node = onPath("prometheus-node-exporter").or(() -> onPath("node_exporter"));
        if (node.isPresent()) {
            step("node exporter (disk of this machine, as compose's node-exporter)");
            requireFree(settings.nodeExporterPort(), "node exporter");
            nodeExporter = HOST + ":" + settings.nodeExporterPort();
            sidecars.add(new Supervised("node-exporter", new ProcessBuilder(node.get().toString(),
                    "--web.listen-address=" + nodeExporter, "--collector.disable-defaults",
                    "--collector.filesystem", "--collector.meminfo", "--collector.cpu"),
                    root.resolve("logs").resolve("node-exporter.log"), out, scheduler).start());
        }
        step("Prometheus (scrapes every role, evaluates the alert rules)");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, PrometheusConfig.render(settings.scrapeInterval(), roles(), dir.resolve("rules"),
                dependencies, HOST + ":" + settings.blackboxPort(), nodeExporter, HOST + ":" + settings.prometheusPort()));
        requireFree(settings.prometheusPort(), "Prometheus");
        sidecars.add(new Supervised("prometheus", new ProcessBuilder(prometheus.get().toString(),
                "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=" + HOST + ":" + settings.prometheusPort(), "--web.enable-lifecycle",
                "--storage.tsdb.retention.time=15d"),
                root.resolve("logs").resolve("prometheus.log"), out, scheduler).start());
        awaitPort(settings.prometheusPort(), "Prometheus", Duration.ofSeconds(60));
        return true;
    }

    /** Files the build copies beside the jar: {@code target/engines/}. */
    private static Path engineJar(String name) {
        try {
            Path code = Path.of(DistributedPlatform.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = code.getParent(); // target/ragline-dev-stack.jar or target/classes
            Path jar = target.resolve("engines").resolve(name);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: build with ./mvnw -pl dev-stack -am package");
            }
            return jar;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyResource(String resource, Path to) throws IOException {
        try (InputStream in = DistributedPlatform.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path; rebuild with ./mvnw package");
            }
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Optional<Path> onPath(String binary) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, binary);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    // ---- small helpers ---------------------------------------------------------------------------

    /** compose's PostgreSQL image makes its user and database from POSTGRES_USER/DB; here the superuser does. */
    private static void createDatabase(EmbeddedPostgres postgres, String url, String user, String password) {
        String database = URI.create(url.substring("jdbc:".length())).getPath().substring(1);
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
             Statement st = c.createStatement()) {
            if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", user)) {
                st.execute("CREATE ROLE \"" + user + "\" LOGIN PASSWORD '" + password.replace("'", "''") + "'");
            }
            if (!exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", database)) {
                st.execute("CREATE DATABASE \"" + database + "\" OWNER \"" + user + "\"");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database + " for " + user + ": " + e.getMessage(), e);
        }
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void requireFree(int port, String what) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 200);
            throw new IllegalStateException("port " + port + " (" + what + ") is in use; stop what listens there or choose "
                    + "another port (./ragline up --distributed --help)");
        } catch (IOException free) {
            // nothing listens: good
        }
    }

    private static void awaitPort(int port, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, port), 500);
                return;
            } catch (IOException notYet) {
                pause(Duration.ofMillis(200));
            }
        }
        throw new IllegalStateException(what + " did not listen on port " + port + " within " + timeout.toSeconds() + " s");
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void step(String what) {
        out.printf(" [%5.1fs] starting %s%n", seconds(), what);
        out.flush();
    }

    private double seconds() {
        return (System.nanoTime() - t0) / 1e9;
    }

    public String devApiKey() {
        return devApiKey;
    }

    public Path root() {
        return root;
    }

    /** Stops the monitoring, then the roles in reverse start order, then the engines. */
    @Override
    public void close() {
        for (int i = sidecars.size() - 1; i >= 0; i--) {
            if (!sidecars.get(i).name().equals("s3proxy")) {
                sidecars.get(i).close();
            }
        }
        for (int i = roles.size() - 1; i >= 0; i--) {
            out.printf(" stopping %s%n", roles.get(i).name());
            out.flush();
            roles.get(i).close();
        }
        sidecars.stream().filter(s -> s.name().equals("s3proxy")).forEach(Supervised::close);
        scheduler.shutdownNow();
        engines.close();
    }
}
