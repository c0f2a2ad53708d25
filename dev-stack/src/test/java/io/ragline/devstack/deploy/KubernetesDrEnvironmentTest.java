package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.dr.EnvironmentInfo;
import io.ragline.ops.dr.KubernetesDrEnvironment;
import io.ragline.ops.dr.KubernetesDrSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The warm standby of k8s/overlays/dr as DisasterRecoveryWorkflow's environment and traffic switch,
 * on fabric8's mock API server in CRUD mode seeded with what the overlay renders, with
 * {@link StandbyControllers} in place of the Deployment controller and CloudNativePG. Every request
 * the environment makes is checked against the overlay's Role ragline-dr-failover: one it would deny
 * fails the test.
 */
class KubernetesDrEnvironmentTest {
    private static final Overlay DR = Overlay.of("dr");
    private static final String NS = DR.namespace();
    private static final String OPS_AGENT = "ragline-ops-under-test";
    private static final CustomResourceDefinitionContext CLUSTERS = new CustomResourceDefinitionContext.Builder()
            .withGroup("postgresql.cnpg.io").withVersion("v1").withKind("Cluster").withPlural("clusters")
            .withScope("Namespaced").withStatusSubresource(true).withName("clusters.postgresql.cnpg.io").build();
    private static final CustomResourceDefinitionContext SCALED_OBJECTS = new CustomResourceDefinitionContext.Builder()
            .withGroup("keda.sh").withVersion("v1alpha1").withKind("ScaledObject").withPlural("scaledobjects")
            .withScope("Namespaced").withStatusSubresource(true).withName("scaledobjects.keda.sh").build();

    private final List<RoleRules.Request> opsRequests = new CopyOnWriteArrayList<>();
    private KubernetesMockServer server;
    private KubernetesClient admin;
    private KubernetesClient ops;
    private StandbyControllers controllers;
    private KubernetesDrEnvironment dr;
    private RoleRules role;

    @BeforeEach
    void setUp() {
        KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher(List.of(CLUSTERS, SCALED_OBJECTS));
        Dispatcher recording = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (OPS_AGENT.equals(request.getHeader("User-Agent"))) {
                    opsRequests.add(RoleRules.parse(request.getMethod(), request.getPath()));
                }
                return crud.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), recording, false);
        server.init();
        admin = server.createClient();
        Config config = new ConfigBuilder(admin.getConfiguration()).build();
        config.setUserAgent(OPS_AGENT);
        ops = new KubernetesClientBuilder().withConfig(config).build();
        seed();
        controllers = new StandbyControllers(admin, NS, CLUSTERS);
        dr = new KubernetesDrEnvironment(ops, new KubernetesDrSettings("dr", NS, Duration.ofSeconds(5)));
        role = new RoleRules(DR.find(Role.class, "ragline-dr-failover").orElseThrow());
    }

    /** What the overlay renders, as the dr namespace holds it before a failover: standby status included. */
    private void seed() {
        for (HasMetadata o : DR.objects()) {
            if (o instanceof Deployment || o instanceof StatefulSet || o instanceof Ingress) {
                admin.resource(o).inNamespace(NS).create();
            } else if (o instanceof GenericKubernetesResource g && g.getKind().equals("Cluster")) {
                admin.genericKubernetesResources(CLUSTERS).inNamespace(NS).resource(g).create();
                GenericKubernetesResource c = admin.genericKubernetesResources(CLUSTERS).inNamespace(NS)
                        .withName(g.getMetadata().getName()).get();
                c.getAdditionalProperties().put("status", StandbyControllers.replicaStatus(2));
                admin.genericKubernetesResources(CLUSTERS).inNamespace(NS).resource(c).updateStatus();
            } else if (o instanceof GenericKubernetesResource g && g.getKind().equals("ScaledObject")) {
                admin.genericKubernetesResources(SCALED_OBJECTS).inNamespace(NS).resource(g).create();
            }
        }
        // the one search replica that keeps the standby's index current is up
        StatefulSet search = admin.apps().statefulSets().inNamespace(NS).withName("ragline-search").get();
        search.setStatus(new StatefulSetStatusBuilder().withReplicas(1).withReadyReplicas(1).build());
        admin.apps().statefulSets().inNamespace(NS).resource(search).updateStatus();
    }

    @AfterEach
    void tearDown() {
        controllers.close();
        ops.close();
        admin.close();
        server.destroy();
    }

    @Test
    void theOverlayShipsEverythingAFailoverNeedsAndTheRoleIsBoundToProdsOpsWorker() {
        assertThat(dr.check("dr")).isEmpty();
        assertThat(dr.check("dr-west")).singleElement().asString().contains("no environment dr-west");
        assertThat(dr.current()).isEqualTo("primary");

        RoleBinding binding = DR.find(RoleBinding.class, "ragline-dr-failover").orElseThrow();
        assertThat(binding.getRoleRef().getName()).isEqualTo("ragline-dr-failover");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo("ragline-workflows");
            assertThat(s.getNamespace()).isEqualTo(Overlay.of("prod").namespace());
        });
        assertEveryRequestGranted();
    }

    @Test
    void aMissingAnnotationIsFoundBeforeAnythingChanges() {
        admin.network().v1().ingresses().inNamespace(NS).withName("ragline-search").edit(i -> {
            i.getMetadata().getAnnotations().remove(KubernetesDrEnvironment.FAILOVER_HOST);
            return i;
        });

        assertThat(dr.check("dr")).singleElement().asString().contains(KubernetesDrEnvironment.FAILOVER_HOST);
        assertThat(replicaMode()).isTrue();
        assertEveryRequestGranted();
    }

    @Test
    void startPromotesPostgresUnpausesKedaScalesUpAndWaitsForTheRollouts() {
        EnvironmentInfo info = dr.start("dr");

        assertThat(info.taskQueue()).isEqualTo(OpsWorker.environmentTaskQueue("dr"));
        assertThat(info.endpoint()).isEqualTo("https://search.dr.ragline.example.com");
        assertThat(replicaMode()).isFalse();
        assertThat(timeline()).isEqualTo(2);
        assertThat(annotations(scaledObject())).doesNotContainKey("autoscaling.keda.sh/paused-replicas");
        assertThat(deployment("ragline-ingest").getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment("ragline-workflows").getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment("ragline-ingest").getStatus().getReadyReplicas()).isEqualTo(2);
        assertThat(dr.smokeTest("dr")).isEmpty();
        assertThat(dr.start("dr")).isEqualTo(info); // a retried start changes nothing
        assertEveryRequestGranted();
    }

    @Test
    void aFailoverAddsTheProductionHostToTheStandbysIngressOnce() {
        dr.start("dr");

        assertThat(dr.switchTo("dr")).isEqualTo("primary");
        assertThat(dr.current()).isEqualTo("dr");
        assertThat(dr.switchTo("dr")).isEqualTo("dr");

        Ingress ingress = admin.network().v1().ingresses().inNamespace(NS).withName("ragline-search").get();
        assertThat(ingress.getSpec().getRules()).extracting(IngressRule::getHost)
                .containsExactly("search.dr.ragline.example.com", "search.ragline.example.com");
        assertThat(ingress.getSpec().getRules().get(1).getHttp()).isEqualTo(ingress.getSpec().getRules().get(0).getHttp());
        assertThat(ingress.getSpec().getTls().getFirst().getHosts()).contains("search.ragline.example.com");
        assertEveryRequestGranted();
    }

    @Test
    void aDrillsTearDownStopsTheWorkersPausesKedaAndPutsPostgresBackIntoReplicaMode() {
        dr.start("dr");

        dr.tearDown("dr");

        assertThat(deployment("ragline-ingest").getSpec().getReplicas()).isZero();
        assertThat(deployment("ragline-workflows").getSpec().getReplicas()).isZero();
        assertThat(annotations(scaledObject())).containsEntry("autoscaling.keda.sh/paused-replicas", "0");
        assertThat(replicaMode()).isTrue();
        assertThat(dr.current()).isEqualTo("primary");
        assertEveryRequestGranted();
    }

    @Test
    void aPostgresThatNeverPromotesFailsTheStartBeforeAnyWorkerRuns() {
        controllers.postgresPromotes = false;

        assertThatThrownBy(() -> dr.start("dr")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PostgreSQL " + NS + "/ragline-pg promoted");
        assertThat(deployment("ragline-ingest").getSpec().getReplicas()).isZero();
        assertThat(deployment("ragline-workflows").getSpec().getReplicas()).isZero();
        assertThat(dr.smokeTest("dr")).isNotEmpty();
        assertEveryRequestGranted();
    }

    @Test
    void aRolloutThatNeverFinishesFailsTheStart() {
        controllers.rolloutsFinish = false;

        assertThatThrownBy(() -> dr.start("dr")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Deployment " + NS + "/ragline-ingest ready");
        assertThat(dr.smokeTest("dr")).anySatisfy(f -> assertThat(f).contains("ragline-ingest is not ready"));
        assertEveryRequestGranted();
    }

    @Test
    void theRoleCheckRefusesWhatTheRoleDoesNotGrant() {
        ops.apps().deployments().inNamespace(NS).withName("ragline-embedder").get();
        ops.apps().deployments().inNamespace(NS).list();
        ops.apps().deployments().inNamespace("ragline-prod").withName("ragline-ingest").get();

        assertThat(opsRequests).hasSize(3).noneMatch(role::allows);
        assertThat(role.allows(RoleRules.parse("PATCH", "/apis/apps/v1/namespaces/" + NS + "/deployments/ragline-ingest")))
                .isTrue();
        assertThat(role.allows(RoleRules.parse("DELETE", "/apis/apps/v1/namespaces/" + NS + "/deployments/ragline-ingest")))
                .isFalse();
        assertThat(role.allows(RoleRules.parse("GET", "/apis/apps/v1/namespaces/" + NS
                + "/deployments?fieldSelector=metadata.name%3Dragline-ingest&watch=true"))).isTrue();
    }

    private void assertEveryRequestGranted() {
        assertThat(opsRequests).as("requests the environment made").isNotEmpty();
        assertThat(opsRequests).as("requests Role ragline-dr-failover would deny")
                .filteredOn(r -> !role.allows(r)).extracting(RoleRules.Request::line).isEmpty();
    }

    @SuppressWarnings("unchecked")
    private boolean replicaMode() {
        Map<String, Object> spec = (Map<String, Object>) cluster().getAdditionalProperties().get("spec");
        return Boolean.TRUE.equals(((Map<String, Object>) spec.get("replica")).get("enabled"));
    }

    @SuppressWarnings("unchecked")
    private int timeline() {
        return ((Number) ((Map<String, Object>) cluster().getAdditionalProperties().get("status")).get("timelineID"))
                .intValue();
    }

    private GenericKubernetesResource cluster() {
        return admin.genericKubernetesResources(CLUSTERS).inNamespace(NS).withName("ragline-pg").get();
    }

    private GenericKubernetesResource scaledObject() {
        return admin.genericKubernetesResources(SCALED_OBJECTS).inNamespace(NS).withName("ragline-workflows").get();
    }

    private static Map<String, String> annotations(HasMetadata o) {
        return o.getMetadata().getAnnotations() == null ? Map.of() : o.getMetadata().getAnnotations();
    }

    private Deployment deployment(String name) {
        return admin.apps().deployments().inNamespace(NS).withName(name).get();
    }
}
