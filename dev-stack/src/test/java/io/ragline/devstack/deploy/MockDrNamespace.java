package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.rbac.Role;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The dr namespace before a failover, on fabric8's mock API server in CRUD mode: seeded with the
 * objects {@code k8s/overlays/dr} renders (with the status a warm standby reports), run by
 * {@link StandbyControllers}. {@link #ops} is the client the code under test gets; each of its
 * requests is recorded and checked against the overlay's Role ragline-dr-failover.
 */
final class MockDrNamespace implements AutoCloseable {
    static final Overlay DR = Overlay.of("dr");
    static final String NS = DR.namespace();
    static final CustomResourceDefinitionContext CLUSTERS = new CustomResourceDefinitionContext.Builder()
            .withGroup("postgresql.cnpg.io").withVersion("v1").withKind("Cluster").withPlural("clusters")
            .withScope("Namespaced").withStatusSubresource(true).withName("clusters.postgresql.cnpg.io").build();
    static final CustomResourceDefinitionContext SCALED_OBJECTS = new CustomResourceDefinitionContext.Builder()
            .withGroup("keda.sh").withVersion("v1alpha1").withKind("ScaledObject").withPlural("scaledobjects")
            .withScope("Namespaced").withStatusSubresource(true).withName("scaledobjects.keda.sh").build();
    private static final String OPS_AGENT = "ragline-ops-under-test";

    final List<ApiRequest> opsRequests = new CopyOnWriteArrayList<>();
    final RoleRules role = RoleRules.of(DR.find(Role.class, "ragline-dr-failover").orElseThrow());
    final KubernetesClient admin;
    final KubernetesClient ops;
    final StandbyControllers controllers;
    private final KubernetesMockServer server;

    MockDrNamespace() {
        KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher(List.of(CLUSTERS, SCALED_OBJECTS));
        Dispatcher recording = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (OPS_AGENT.equals(request.getHeader("User-Agent"))) {
                    opsRequests.add(ApiRequest.parse(request.getMethod(), request.getPath()));
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
    }

    private void seed() {
        for (HasMetadata o : DR.objects()) {
            if (o instanceof Deployment || o instanceof StatefulSet || o instanceof Ingress) {
                admin.resource(o).inNamespace(NS).create();
            } else if (o instanceof GenericKubernetesResource g && g.getKind().equals("Cluster")) {
                admin.genericKubernetesResources(CLUSTERS).inNamespace(NS).resource(g).create();
                GenericKubernetesResource c = cluster();
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

    /** Fails the test on any request the Role would deny (and when none was made: nothing was checked). */
    void assertEveryRequestGranted() {
        assertThat(opsRequests).as("requests the code under test made").isNotEmpty();
        assertThat(opsRequests).as("requests Role ragline-dr-failover would deny")
                .filteredOn(r -> !role.allows(r)).extracting(ApiRequest::line).isEmpty();
    }

    GenericKubernetesResource cluster() {
        return admin.genericKubernetesResources(CLUSTERS).inNamespace(NS).withName("ragline-pg").get();
    }

    @SuppressWarnings("unchecked")
    boolean replicaMode() {
        Map<String, Object> spec = (Map<String, Object>) cluster().getAdditionalProperties().get("spec");
        return Boolean.TRUE.equals(((Map<String, Object>) spec.get("replica")).get("enabled"));
    }

    @SuppressWarnings("unchecked")
    int timeline() {
        return ((Number) ((Map<String, Object>) cluster().getAdditionalProperties().get("status")).get("timelineID"))
                .intValue();
    }

    GenericKubernetesResource scaledObject() {
        return admin.genericKubernetesResources(SCALED_OBJECTS).inNamespace(NS).withName("ragline-workflows").get();
    }

    Deployment deployment(String name) {
        return admin.apps().deployments().inNamespace(NS).withName(name).get();
    }

    Ingress ingress() {
        return admin.network().v1().ingresses().inNamespace(NS).withName("ragline-search").get();
    }

    static Map<String, String> annotations(HasMetadata o) {
        return o.getMetadata().getAnnotations() == null ? Map.of() : o.getMetadata().getAnnotations();
    }

    @Override
    public void close() {
        controllers.close();
        ops.close();
        admin.close();
        server.destroy();
    }
}
