package io.ragline.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.ops.OpsMetrics;
import io.ragline.ops.OpsResources;
import io.ragline.ops.OpsStatus;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.TestPostgres;
import io.ragline.ops.backup.BackupRequest;
import io.ragline.ops.backup.BackupScope;
import io.ragline.ops.backup.BackupSettings;
import io.ragline.ops.backup.BackupStores;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DeployWorkflow against fabric8's mock API server (CRUD mode), Prometheus's HTTP API served by
 * MockWebServer with real response shapes, and a real PostgreSQL for the deployment records.
 * Temporal's test environment skips time while a test waits for a result.
 */
@EnableKubernetesMockClient(crud = true)
class DeployWorkflowTest {
    private static final String NS = "ragline";
    private static final String SERVICE = "search-api";
    static KubernetesClient client;
    private static HikariDataSource db;

    @TempDir
    Path tmp;
    private TestWorkflowEnvironment env;
    private MockWebServer prometheus;
    private RolloutController controller;

    @BeforeAll
    static void database() {
        db = TestPostgres.database("deploy_test");
    }

    @AfterAll
    static void closeDatabase() {
        db.close();
    }

    private SimpleMeterRegistry meters;

    @BeforeEach
    void setUp() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .createOr(op -> op.update());
        controller = new RolloutController(client);
        prometheus = new MockWebServer();
        prometheus.start();
        env = TestWorkflowEnvironment.newInstance();
        Worker worker = env.newWorker(OpsWorker.TASK_QUEUE);
        meters = new SimpleMeterRegistry();
        OpsResources resources = OpsResources.builder(new BackupStores(null), new OpsMetrics(meters),
                        tmp.resolve("work"))
                .kubernetes(client)
                .metadata(db)
                .prometheus(new PrometheusClient(HttpClient.newHttpClient()))
                .build();
        DeploySettings settings = new DeploySettings(Duration.ofHours(1), Duration.ofHours(1), Duration.ofMinutes(15),
                Duration.ofMillis(200), null);
        OpsWorker.register(worker, settings, BackupSettings.of(tmp.resolve("backups").toUri().toString()), resources);
        env.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        env.close();
        controller.close();
        prometheus.close();
        client.apps().deployments().inNamespace(NS).delete();
        client.services().inNamespace(NS).delete();
        client.network().v1().ingresses().inNamespace(NS).delete();
    }

    @Test
    void aCanaryWhoseSecondGateFailsRollsBackToThePreviousImage() throws Exception {
        stable("registry/search-api:1.0", 3);
        prometheus.enqueue(sample(0.999)); // gate at 5%: success rate
        prometheus.enqueue(sample(120));   //               p95
        prometheus.enqueue(sample(0.82));  // gate at 25%: success rate breaks the gate
        prometheus.enqueue(sample(130));
        DeployWorkflow workflow = newWorkflow();

        assertThatThrownBy(() -> workflow.deploy(request(Strategy.CANARY, analysis(), false)))
                .isInstanceOf(WorkflowFailedException.class)
                .cause().isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.getType()).isEqualTo("DeploymentRolledBack");
                    assertThat(f.getOriginalMessage()).contains("analysis at 25%").contains("success rate 0.8200 < 0.9900");
                });

        assertThat(image(SERVICE)).isEqualTo("registry/search-api:1.0");
        assertThat(client.apps().deployments().inNamespace(NS).withName(SERVICE + "-canary").get()).isNull();
        assertThat(prometheus.getRequestCount()).isEqualTo(4);
        OpsStatus status = workflow.status();
        assertThat(status.state()).isEqualTo("ROLLED_BACK");
        assertThat(status.figures()).containsEntry("canaryWeight", 0).containsEntry("successRate", 0.82);
        assertThat(status.steps()).extracting(s -> s.name())
                .containsSubsequence("canary at 5%", "analysis at 5%", "canary at 25%", "analysis at 25%", "remove canary");
        assertThat(recorded()).isEqualTo(List.of("ROLLED_BACK", "registry/search-api:1.0"));
        // counted as the outcome RaglineOpsWorkflowFailed matches (OpsAlertsTest), and only as that
        assertThat(deploys("rolled_back")).isEqualTo(1);
        assertThat(deploys("completed")).isZero();
        assertThat(deploys("failed")).isZero();
    }

    @Test
    void aMeasurementRetriesAfterTransientPrometheusFailuresAndTheRollingUpdateSucceeds() throws Exception {
        stable("registry/search-api:1.0", 2);
        prometheus.enqueue(new MockResponse.Builder().code(503)
                .body("{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"query queue full\"}").build());
        prometheus.enqueue(new MockResponse.Builder().code(503)
                .body("{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"query queue full\"}").build());
        prometheus.enqueue(sample(0.999));
        prometheus.enqueue(sample(95));
        Path backups = tmp.resolve("pre-deploy");
        DeployRequest request = new DeployRequest(SERVICE, "registry/search-api:2.0", NS, Strategy.ROLLING, null,
                analysis(), true, false, null, null, null, null,
                new BackupRequest(List.of(BackupScope.KUBERNETES_CONFIG), backups.toUri().toString(), 7, NS, null));

        DeployResult result = newWorkflow().deploy(request);

        assertThat(result.outcome()).isEqualTo("SUCCEEDED");
        assertThat(result.previousImage()).isEqualTo("registry/search-api:1.0");
        assertThat(image(SERVICE)).isEqualTo("registry/search-api:2.0");
        assertThat(prometheus.getRequestCount()).isEqualTo(4); // two failed attempts, then both queries
        // the workflow's target fills the default query's {{selector}}
        assertThat(prometheus.takeRequest().getUrl().queryParameter("query")).contains("search-api").contains("route=~\"/v1/.+\"");
        // the pre-deploy backup ran as a child workflow and holds the namespace's objects
        assertThat(result.backupId()).isNotBlank();
        try (Stream<Path> files = Files.walk(backups.resolve(result.backupId()))) {
            assertThat(files.map(p -> backups.resolve(result.backupId()).relativize(p).toString()))
                    .contains("manifest.json", "kubernetes/ragline.yaml");
        }
        assertThat(Files.readString(backups.resolve(result.backupId()).resolve("kubernetes/ragline.yaml")))
                .contains("name: \"search-api\"").contains("registry/search-api:1.0").doesNotContain("availableReplicas");
        assertThat(recorded()).isEqualTo(List.of("SUCCEEDED", "registry/search-api:1.0"));
        assertThat(deploys("completed")).isEqualTo(1);
        assertThat(deploys("rolled_back")).isZero();
    }

    private double deploys(String outcome) {
        return meters.get(io.ragline.ops.OpsMetricNames.OPS_WORKFLOWS).tag("workflow", "deploy")
                .tag("outcome", outcome).counter().count();
    }

    private DeployWorkflow newWorkflow() {
        return env.getWorkflowClient().newWorkflowStub(DeployWorkflow.class, WorkflowOptions.newBuilder()
                .setTaskQueue(OpsWorker.TASK_QUEUE)
                .setWorkflowId(DeployWorkflow.workflowId(NS, SERVICE))
                .build());
    }

    private static DeployRequest request(Strategy strategy, AnalysisSpec analysis, boolean approval) {
        return new DeployRequest(SERVICE, "registry/search-api:2.0", NS, strategy, List.of(5, 25, 50, 100), analysis,
                false, approval, Duration.ofMinutes(30), null, null, null, null);
    }

    private AnalysisSpec analysis() {
        return new AnalysisSpec(prometheus.url("/").toString(), 0.99, 500L, Duration.ofMinutes(1), 0, 1, null, null);
    }

    /** A Prometheus instant-query answer as /api/v1/query returns it. */
    private static MockResponse sample(double value) {
        String body = String.format(Locale.ROOT, """
                {"status":"success","data":{"resultType":"vector","result":[
                  {"metric":{},"value":[1767225600.123,"%s"]}]}}""", value);
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }

    private static void stable(String image, int replicas) {
        client.resource(deployment(SERVICE, Map.of("app", SERVICE), image, replicas)).inNamespace(NS).create();
        client.resource(service(Map.of("app", SERVICE))).inNamespace(NS).create();
        client.resource(new IngressBuilder()
                .withNewMetadata().withName(SERVICE).withNamespace(NS)
                    .addToAnnotations("kubernetes.io/ingress.class", "nginx").endMetadata()
                .withNewSpec().addNewRule().withHost("search.example").withNewHttp().addNewPath()
                    .withPath("/").withPathType("Prefix")
                    .withNewBackend().withNewService().withName(SERVICE).withNewPort().withNumber(8080).endPort()
                    .endService().endBackend()
                .endPath().endHttp().endRule().endSpec()
                .build()).inNamespace(NS).create();
    }

    private static Deployment deployment(String name, Map<String, String> labels, String image, int replicas) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(replicas)
                    .withNewSelector().withMatchLabels(labels).endSelector()
                    .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                        .withNewSpec().addNewContainer().withName("api").withImage(image).endContainer().endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    private static Service service(Map<String, String> selector) {
        return new ServiceBuilder()
                .withNewMetadata().withName(SERVICE).withNamespace(NS).endMetadata()
                .withNewSpec().withSelector(selector).addNewPort().withPort(8080).endPort().endSpec()
                .build();
    }

    private static String image(String deployment) {
        return client.apps().deployments().inNamespace(NS).withName(deployment).get()
                .getSpec().getTemplate().getSpec().getContainers().getFirst().getImage();
    }

    /** Outcome and previous image of the latest deployment row. */
    private static List<String> recorded() throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT outcome, previous_image, finished_at FROM deployments "
                     + "ORDER BY started_at DESC, updated_at DESC LIMIT 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getTimestamp(3)).isNotNull();
            return List.of(rs.getString(1), rs.getString(2));
        }
    }
}
