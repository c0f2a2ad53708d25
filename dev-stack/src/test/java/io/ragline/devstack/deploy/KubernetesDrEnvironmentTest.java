package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.dr.EnvironmentInfo;
import io.ragline.ops.dr.KubernetesDrEnvironment;
import io.ragline.ops.dr.KubernetesDrSettings;
import java.time.Duration;
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
@SuppressWarnings("unchecked")
class KubernetesDrEnvironmentTest {
    private static final String NS = MockDrNamespace.NS;
    private MockDrNamespace k8s;
    private KubernetesDrEnvironment dr;

    @BeforeEach
    void setUp() {
        k8s = new MockDrNamespace();
        dr = new KubernetesDrEnvironment(k8s.ops, new KubernetesDrSettings("dr", NS, Duration.ofSeconds(5)));
    }

    @AfterEach
    void tearDown() {
        k8s.close();
    }

    @Test
    void theOverlayShipsEverythingAFailoverNeedsAndTheRoleIsBoundToProdsOpsWorker() {
        assertThat(dr.check("dr")).isEmpty();
        assertThat(dr.check("dr-west")).singleElement().asString().contains("no environment dr-west");
        assertThat(dr.current()).isEqualTo("primary");

        RoleBinding binding = MockDrNamespace.DR.find(RoleBinding.class, "ragline-dr-failover").orElseThrow();
        assertThat(binding.getRoleRef().getName()).isEqualTo("ragline-dr-failover");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo("ragline-workflows");
            assertThat(s.getNamespace()).isEqualTo(Overlay.of("prod").namespace());
        });
        assertEveryRequestGranted();
    }

    @Test
    void aMissingAnnotationIsFoundBeforeAnythingChanges() {
        k8s.admin.network().v1().ingresses().inNamespace(NS).withName("ragline-search").edit(i -> {
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
        assertThat(k8s.timeline()).isEqualTo(2);
        assertThat(MockDrNamespace.annotations(k8s.scaledObject())).doesNotContainKey("autoscaling.keda.sh/paused-replicas");
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

        Ingress ingress = k8s.ingress();
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
        assertThat(MockDrNamespace.annotations(k8s.scaledObject())).containsEntry("autoscaling.keda.sh/paused-replicas", "0");
        assertThat(replicaMode()).isTrue();
        assertThat(dr.current()).isEqualTo("primary");
        assertEveryRequestGranted();
    }

    @Test
    void aPostgresThatNeverPromotesFailsTheStartBeforeAnyWorkerRuns() {
        k8s.controllers.postgresPromotes = false;

        assertThatThrownBy(() -> dr.start("dr")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PostgreSQL " + NS + "/ragline-pg promoted");
        assertThat(deployment("ragline-ingest").getSpec().getReplicas()).isZero();
        assertThat(deployment("ragline-workflows").getSpec().getReplicas()).isZero();
        assertThat(dr.smokeTest("dr")).isNotEmpty();
        assertEveryRequestGranted();
    }

    @Test
    void aRetriedStartWaitsForThePromotionItAskedForAndNotForTheReplicasOldStatus() {
        k8s.controllers.postgresPromotes = false;
        assertThatThrownBy(() -> dr.start("dr")).hasMessageContaining("promoted");
        assertThat(replicaMode()).isFalse(); // asked for, not done: the old status still reads healthy

        assertThatThrownBy(() -> dr.start("dr")).hasMessageContaining("promoted to a timeline after 1");
        assertThat(deployment("ragline-ingest").getSpec().getReplicas()).isZero();

        k8s.controllers.resumePromotion();
        dr.start("dr");
        assertThat(k8s.timeline()).isEqualTo(2);
        assertThat(deployment("ragline-ingest").getSpec().getReplicas()).isEqualTo(2);
        assertEveryRequestGranted();
    }

    @Test
    void aPostgresPromotedByHandIsFoundBeforeAnythingChanges() {
        GenericKubernetesResource pg = k8s.cluster();
        ((java.util.Map<String, Object>) ((java.util.Map<String, Object>) pg.getAdditionalProperties().get("spec"))
                .get("replica")).put("enabled", false);
        k8s.admin.genericKubernetesResources(MockDrNamespace.CLUSTERS).inNamespace(NS).resource(pg).update();

        assertThat(dr.check("dr")).singleElement().asString().contains("no DR run promoted it");
        assertEveryRequestGranted();
    }

    @Test
    void aRolloutThatNeverFinishesFailsTheStart() {
        k8s.controllers.rolloutsFinish = false;

        assertThatThrownBy(() -> dr.start("dr")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Deployment " + NS + "/ragline-ingest ready");
        assertThat(dr.smokeTest("dr")).anySatisfy(f -> assertThat(f).contains("ragline-ingest is not ready"));
        assertEveryRequestGranted();
    }

    @Test
    void theRoleCheckRefusesWhatTheRoleDoesNotGrant() {
        k8s.ops.apps().deployments().inNamespace(NS).withName("ragline-embedder").get();
        k8s.ops.apps().deployments().inNamespace(NS).list();
        k8s.ops.apps().deployments().inNamespace("ragline-prod").withName("ragline-ingest").get();

        RoleRules role = k8s.role;
        assertThat(k8s.opsRequests).hasSize(3).noneMatch(role::allows);
        assertThat(role.allows(ApiRequest.parse("PATCH", "/apis/apps/v1/namespaces/" + NS + "/deployments/ragline-ingest")))
                .isTrue();
        assertThat(role.allows(ApiRequest.parse("DELETE", "/apis/apps/v1/namespaces/" + NS + "/deployments/ragline-ingest")))
                .isFalse();
        assertThat(role.allows(ApiRequest.parse("GET", "/apis/apps/v1/namespaces/" + NS
                + "/deployments?fieldSelector=metadata.name%3Dragline-ingest&watch=true"))).isTrue();
    }

    private void assertEveryRequestGranted() {
        k8s.assertEveryRequestGranted();
    }

    private boolean replicaMode() {
        return k8s.replicaMode();
    }

    private Deployment deployment(String name) {
        return k8s.deployment(name);
    }
}
