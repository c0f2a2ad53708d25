package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.json.Json;
import io.ragline.devstack.FreePorts;
import io.ragline.devstack.distributed.DistributedPlatform;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.deploy.AnalysisActivities;
import io.ragline.ops.deploy.AnalysisActivitiesImpl;
import io.ragline.ops.deploy.DeployActivitiesImpl;
import io.ragline.ops.deploy.DeployRequest;
import io.ragline.ops.deploy.DeployResult;
import io.ragline.ops.deploy.DeploySettings;
import io.ragline.ops.deploy.DeployWorkflow;
import io.ragline.ops.deploy.DeployWorkflowImpl;
import io.ragline.ops.deploy.Strategy;
import io.ragline.ops.deploy.WorkloadKind;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.ragline.ops.deploy.AnalysisSpec;
import io.ragline.ops.deploy.Measurement;
import io.ragline.ops.deploy.PrometheusClient;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Deploy gates against the distributed platform's real Prometheus: the real {@link AnalysisActivitiesImpl}
 * with the default queries and a selector of exactly one search replica, as a canary deploy computes
 * it from the StatefulSet. Four replicas run under the pod names the StatefulSet gives them:
 * {@code ragline-search-0} (stable), {@code -1} (a healthy canary), {@code -2} (a canary that answers
 * every /v1 request 503) and {@code -3} (one that answers each after 1.5 s), the last two made bad
 * with {@code --role-env} and the search API's fault injection. No documents are needed: an empty
 * index still answers searches, and the gate measures the answers. Then whole CANARY deploys of the
 * search StatefulSet by the real {@code DeployWorkflow}, on the dev overlay's objects in fabric8's mock
 * server (every request checked against the shipped Role) and gated by this Prometheus: a slow canary
 * and a 5xx canary are rolled back by their gates, a healthy one is promoted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CanaryGateIT {
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final int REPLICAS = 4;
    private static final long MAX_P95_MILLIS = 1000;
    private static final long SLOW_MILLIS = 1500;
    private static final String SEARCH = "ragline-search";
    private static final String NEW_IMAGE = "ragline:0.2.0";
    private static final DeploySettings DEPLOY_SETTINGS = new DeploySettings(Duration.ofHours(1), Duration.ofMinutes(10),
            Duration.ofMinutes(15), Duration.ofMillis(200), null);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AnalysisActivitiesImpl analysis = new AnalysisActivitiesImpl(new PrometheusClient(HttpClient.newHttpClient()));
    private final ScheduledExecutorService traffic = Executors.newScheduledThreadPool(2);
    private final Map<Integer, AtomicInteger> answered = new ConcurrentHashMap<>();
    private Path data;
    private Path log;
    private Process up;
    private int apiPort;
    private int prometheusPort;
    private final java.util.Set<Integer> handedOut = new java.util.HashSet<>();
    /** Replicas that get no more searches (their windows empty out). */
    private final java.util.Set<Integer> silenced = ConcurrentHashMap.newKeySet();
    private String apiKey;
    private AnalysisSpec spec;
    private long warmedAt;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(onPath("prometheus"), "no prometheus on the PATH (Debian: apt-get install prometheus; .ci/run installs it)");
        data = Files.createTempDirectory(TARGET, "canary-gate-it-");
        log = TARGET.resolve("canary-gate-it-up.log");
        apiPort = freeRange(REPLICAS);
        prometheusPort = freePort();
        List<String> args = new ArrayList<>(List.of("up", "--distributed", "--data-dir", data.toString(),
                "--http-port", Integer.toString(apiPort), "--role-port-base", Integer.toString(freeRange(2)),
                "--kafka-port", Integer.toString(freePort()), "--kafka-controller-port", Integer.toString(freePort()),
                "--temporal-port", Integer.toString(freePort()), "--postgres-port", Integer.toString(freePort()),
                "--s3-port", Integer.toString(freePort()), "--prometheus-port", Integer.toString(prometheusPort),
                "--blackbox-port", Integer.toString(freePort()), "--node-exporter-port", Integer.toString(freePort()),
                // only what the gates need: the ingest process creates the topics the replicas' indexers read
                "--search-replicas", Integer.toString(REPLICAS), "--embedders", "0", "--workflows-processes", "0",
                "--scrape-interval", "PT1S",
                "--role-env", "search-3:RAGLINE_FAULT_HTTP_ERROR_RATE=1",
                "--role-env", "search-4:RAGLINE_FAULT_HTTP_DELAY_MS=" + SLOW_MILLIS));
        up = ragline(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(up.isAlive()).as("ragline up --distributed exited:%n%s", tail(log, 40)).isTrue();
            assertThat(Files.readString(log)).contains("ragline (distributed) is up");
        });
        assertThat(Files.readString(log)).as("Prometheus runs").doesNotContain("no prometheus binary");
        apiKey = Files.readString(data.resolve("dev-api-key")).strip();
        spec = new AnalysisSpec("http://127.0.0.1:" + prometheusPort, 0.99, MAX_P95_MILLIS, Duration.ofSeconds(10), 0, 1,
                null, null);
        for (int i = 0; i < REPLICAS; i++) {
            int port = apiPort + i;
            answered.put(port, new AtomicInteger());
            // five searches a second to each replica, not waiting for answers: a slow one gets as many as the others
            traffic.scheduleAtFixedRate(() -> search(port), 0, 200, TimeUnit.MILLISECONDS);
        }
        // a replica's first searches are slow (class loading, JIT, the first index reader); a window that
        // holds them is no verdict on the replica
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> answered.values()
                .forEach(n -> assertThat(n.get()).as("answers of each replica").isGreaterThanOrEqualTo(25)));
        warmedAt = System.nanoTime();
    }

    @AfterAll
    void stop() throws Exception {
        traffic.shutdownNow();
        if (up == null) {
            return;
        }
        up.destroy(); // SIGTERM, as Ctrl-C
        boolean stopped = up.waitFor(3, TimeUnit.MINUTES);
        if (!stopped) {
            up.destroyForcibly();
        }
        for (JsonNode role : Json.mapper().readTree(Files.readString(data.resolve("distributed/roles.json")))) {
            ProcessHandle.of(role.path("pid").asLong()).ifPresent(ProcessHandle::destroyForcibly);
        }
        assertThat(stopped).as("stops within 3 minutes").isTrue();
    }

    @Test
    @Order(1)
    void theFaultyReplicasSayLoudlyThatTheyAreFaultyAndTheOthersDoNot() throws IOException {
        Path logs = data.resolve("distributed/logs");
        assertThat(Files.readString(logs.resolve("search-3.log"))).contains("FAULT INJECTION IS ON")
                .contains("100% of /v1 requests answered 503");
        assertThat(Files.readString(logs.resolve("search-4.log"))).contains("FAULT INJECTION IS ON")
                .contains("each delayed by " + SLOW_MILLIS + " ms");
        assertThat(Files.readString(logs.resolve("search-2.log"))).doesNotContain("FAULT INJECTION");
    }

    @Test
    @Order(2)
    void aHealthyCanaryPassesItsGate() {
        Measurement m = conclusive(pod(1));
        assertThat(m.passed()).as(m.detail()).isTrue();
        assertThat(m.successRate()).isEqualTo(1.0);
        assertThat(m.p95Millis()).isLessThan(MAX_P95_MILLIS);
        // the stable replica, measured the same way, passes too
        assertThat(conclusive(pod(0)).passed()).isTrue();
    }

    @Test
    @Order(3)
    void aCanaryAnsweringWith5xxFailsItsGate() {
        Measurement m = conclusive(pod(2));
        assertThat(m.passed()).isFalse();
        // every answer a 503: no non-5xx series exists at all, and the rate is 0, not "no data"
        assertThat(m.successRate()).isZero();
        assertThat(m.detail()).contains("success rate 0.0000 < 0.9900");
    }

    @Test
    @Order(4)
    void aSlowCanaryFailsItsGate() {
        Measurement m = conclusive(pod(3));
        assertThat(m.passed()).isFalse();
        assertThat(m.successRate()).as(m.detail()).isEqualTo(1.0);
        assertThat(m.p95Millis()).isGreaterThan((double) MAX_P95_MILLIS);
        assertThat(m.detail()).contains("> " + MAX_P95_MILLIS + " ms");
    }

    @Test
    @Order(5)
    void aSelectorOfAPodThatDoesNotExistFailsAsInconclusive() {
        Measurement m = analysis.measure(spec, pod(7));
        assertThat(m.passed()).isFalse();
        assertThat(m.successRate()).isNull();
        assertThat(m.p95Millis()).isNull();
        assertThat(m.detail()).startsWith("inconclusive: no success rate and no p95");
    }

    // ---- the whole deploy: DeployWorkflow on the shipped manifests, gated by this Prometheus ----------

    @Test
    @Order(6)
    void aCanaryDeployWhoseCanaryIsSlowIsRolledBackByItsGate() throws Exception {
        // 25% of 4 replicas: one canary pod, ordinal 3, the process that answers after 1.5 s
        Deployed d = canaryDeploy(4, List.of(25));
        assertRolledBack(d, "> " + MAX_P95_MILLIS + " ms");
        assertThat(d.gated()).as("the pods each gate measured").containsExactly(pod(3));
    }

    @Test
    @Order(7)
    void aCanaryDeployWhoseCanaryAnswers5xxIsRolledBackByItsGate() throws Exception {
        // 25% of 3 replicas: one canary pod, ordinal 2, the process that answers every search 503
        Deployed d = canaryDeploy(3, List.of(25));
        assertRolledBack(d, "success rate 0.0000 < 0.9900");
        assertThat(d.gated()).as("the pods each gate measured").containsExactly(pod(2));
    }

    @Test
    @Order(8)
    void aCanaryDeployWhoseCanaryAndFleetAreHealthyIsPromoted() throws Exception {
        // the faulty processes leave the fleet: no more searches reach them, their windows empty out
        silenced.addAll(List.of(apiPort + 2, apiPort + 3));
        String fleet = "namespace=\"" + DistributedPlatform.NAMESPACE + "\",service=\"" + SEARCH + "\"";
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2))
                .until(() -> analysis.measure(spec, fleet).passed());

        // 50% of 2 replicas: canary ordinal 1 (healthy), then all of them
        Deployed d = canaryDeploy(2, List.of(50));
        assertThat(d.failure()).as("%s", d.reason()).isNull();
        assertThat(d.result().outcome()).isEqualTo("SUCCEEDED");
        assertThat(d.image()).isEqualTo(NEW_IMAGE);
        assertThat(d.partition()).isZero();
        assertThat(d.gated()).as("the pods each gate measured").containsExactly(pod(1), fleet);
        assertThat(d.denied()).as("requests the shipped ragline-ops Role denies").isEmpty();
    }

    @Test
    @Order(9)
    void aCanaryThatGetsNoMoreTrafficFailsAsInconclusiveOnceItsWindowIsEmpty() {
        assertThat(answered.get(apiPort + 1).get()).as("the canary was answering").isPositive();
        traffic.shutdownNow();
        // its series stay, their rates fall to 0: the success rate is 0/0 and the p95 of no requests NaN
        AtomicReference<Measurement> last = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            last.set(analysis.measure(spec, pod(1)));
            assertThat(last.get().successRate()).as(last.get().detail()).isNull();
        });
        assertThat(last.get().passed()).isFalse();
        assertThat(last.get().p95Millis()).isNull();
        assertThat(last.get().detail()).startsWith("inconclusive");
    }

    private record Deployed(DeployResult result, WorkflowFailedException failure, String reason, String state,
                            String oldImage, String image, int partition, List<String> denied, List<String> gated) {
    }

    /** The real analysis, remembering the selector of each measurement. */
    static final class MeasuredSelectors implements AnalysisActivities {
        private final AnalysisActivities real;
        private final List<String> selectors = new java.util.concurrent.CopyOnWriteArrayList<>();

        MeasuredSelectors(AnalysisActivities real) {
            this.real = real;
        }

        @Override
        public Measurement measure(AnalysisSpec spec, String selector) {
            selectors.add(selector);
            return real.measure(spec, selector);
        }
    }

    /**
     * A CANARY deploy of {@code ragline-search} by the real workflow and activities: the Kubernetes side is
     * the dev overlay's objects (in the namespace this platform's metrics carry) in fabric8's mock server
     * with the StatefulSet at {@code replicas}, the gates are the real analysis on this Prometheus, where
     * pod {@code ragline-search-<i>} is the process on {@code apiPort + i}.
     */
    private Deployed canaryDeploy(int replicas, List<Integer> steps) throws Exception {
        String ns = DistributedPlatform.NAMESPACE;
        TestWorkflowEnvironment env = null;
        try (ShippedCluster cluster = new ShippedCluster(Overlay.of("dev").inNamespace(ns), harness ->
                harness.apps().statefulSets().inNamespace(ns).withName(SEARCH).edit(s -> {
                    s.getSpec().setReplicas(replicas);
                    return s;
                }))) {
            DeployActivitiesImpl look = new DeployActivitiesImpl(cluster.harness());
            await().atMost(Duration.ofSeconds(20)).until(() -> look.rolloutState(ns, WorkloadKind.STATEFUL_SET, SEARCH).ready());
            String oldImage = statefulSet(cluster).getSpec().getTemplate().getSpec().getContainers().getFirst().getImage();

            env = TestWorkflowEnvironment.newInstance();
            Worker worker = env.newWorker(OpsWorker.TASK_QUEUE);
            worker.registerWorkflowImplementationFactory(DeployWorkflow.class, () -> new DeployWorkflowImpl(DEPLOY_SETTINGS));
            MeasuredSelectors gates = new MeasuredSelectors(analysis);
            worker.registerActivitiesImplementations(new DeployActivitiesImpl(cluster.ops()), gates, new RecordedDeployments());
            env.start();
            DeployWorkflow workflow = env.getWorkflowClient().newWorkflowStub(DeployWorkflow.class, WorkflowOptions.newBuilder()
                    .setTaskQueue(OpsWorker.TASK_QUEUE).setWorkflowId(DeployWorkflow.workflowId(ns, SEARCH)).build());
            DeployRequest request = new DeployRequest(SEARCH, NEW_IMAGE, ns, Strategy.CANARY, steps, spec, false, false,
                    null, Duration.ofSeconds(30), null, null, null);
            WorkflowClient.start(workflow::deploy, request);
            DeployResult result = null;
            WorkflowFailedException failure = null;
            try {
                result = WorkflowStub.fromTyped(workflow).getResult(DeployResult.class);
            } catch (WorkflowFailedException e) {
                failure = e;
            }
            var status = workflow.status();
            System.out.printf("deploy of %d replicas, steps %s: %s %s%n", replicas, steps, status.state(), status.reason());
            StatefulSet after = statefulSet(cluster);
            var rolling = after.getSpec().getUpdateStrategy().getRollingUpdate();
            return new Deployed(result, failure, status.reason(), status.state(), oldImage,
                    after.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage(),
                    rolling == null || rolling.getPartition() == null ? 0 : rolling.getPartition(), cluster.denials(),
                    List.copyOf(gates.selectors));
        } finally {
            if (env != null) {
                env.close();
            }
        }
    }

    private static StatefulSet statefulSet(ShippedCluster cluster) {
        return cluster.harness().apps().statefulSets().inNamespace(cluster.namespace()).withName(SEARCH).get();
    }

    private static void assertRolledBack(Deployed d, String reason) {
        assertThat(d.failure()).as("the deploy fails").isNotNull();
        assertThat(d.failure().getCause()).isInstanceOfSatisfying(ApplicationFailure.class, f -> {
            assertThat(f.getType()).isEqualTo("DeploymentRolledBack");
            assertThat(f.getOriginalMessage()).contains(reason);
        });
        assertThat(d.state()).isEqualTo("ROLLED_BACK");
        assertThat(d.image()).as("image after the rollback").isEqualTo(d.oldImage()).isNotEqualTo(NEW_IMAGE);
        assertThat(d.partition()).as("partition after the rollback").isZero();
        assertThat(d.denied()).as("requests the shipped ragline-ops Role denies").isEmpty();
    }

    /** The selector a canary deploy computes for StatefulSet pod {@code ragline-search-<ordinal>}. */
    private static String pod(int ordinal) {
        return "namespace=\"" + DistributedPlatform.NAMESPACE + "\",service=\"ragline-search\",pod=~\"ragline-search-("
                + ordinal + ")\"";
    }

    /** The first measurement with both values of a window that holds only answers of warm replicas. */
    private Measurement conclusive(String selector) {
        AtomicReference<Measurement> last = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(Duration.ofNanos(System.nanoTime() - warmedAt)).as("window after the warm-up")
                    .isGreaterThan(spec.interval());
            last.set(analysis.measure(spec, selector));
            assertThat(last.get().successRate() != null && last.get().p95Millis() != null).as(last.get().detail()).isTrue();
        });
        System.out.printf("gate {%s}: %s%n", selector, last.get().detail());
        return last.get();
    }

    private void search(int port) {
        if (silenced.contains(port)) {
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/search"))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"lighthouses\",\"topK\":3,\"mode\":\"keyword\"}")).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .thenAccept(r -> answered.get(port).incrementAndGet());
    }

    // ---- helpers (as DistributedPlatformIT's) ---------------------------------------------------

    /** A free port that none of the ports and ranges handed out before in this test includes. */
    private int freePort() throws IOException {
        return freeRange(1);
    }

    /** {@code n} consecutive free ports, none handed out before: nothing binds them until the platform starts. */
    private int freeRange(int n) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int first = FreePorts.next();
            boolean free = !handedOut.contains(first);
            for (int p = first + 1; p < first + n && free; p++) {
                try (ServerSocket probe = new ServerSocket(p)) {
                    free = probe.getLocalPort() == p && !handedOut.contains(p);
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                for (int p = first; p < first + n; p++) {
                    handedOut.add(p);
                }
                return first;
            }
        }
        throw new IOException("no " + n + " consecutive free ports");
    }

    private static boolean onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return true;
            }
        }
        return false;
    }

    /** The command line of the {@code ./ragline} launcher script, on this JVM (as LauncherIT runs it). */
    private static ProcessBuilder ragline(List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true", "--add-modules", "jdk.incubator.vector"));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-cp", TARGET.resolve("ragline-dev-stack.jar") + File.pathSeparator
                + TARGET.resolve("lib") + File.separator + "*", "io.ragline.devstack.cli.RaglineCli"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DJL_OFFLINE", "true");
        return builder;
    }

    private static String tail(Path file, int lines) throws IOException {
        List<String> all = Files.exists(file) ? Files.readAllLines(file) : List.of();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
