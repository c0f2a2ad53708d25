package io.ragline.devstack.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * fabric8's mock API server in CRUD mode holding what an overlay of {@code k8s/} renders, a harness
 * client that seeds and inspects it, the ops worker's client, the rollout simulator, and the check of
 * every request the ops client made against the overlay's {@code ragline-ops} Role.
 */
final class ShippedCluster implements AutoCloseable {
    static final String HARNESS = "deploy-test-harness";

    private final Overlay overlay;
    private final KubernetesMockServer server;
    private final KubernetesClient harness;
    private final KubernetesClient ops;
    private final RolloutSimulator simulator;
    private final RoleRules role;

    /**
     * @param adjust what the harness changes before the simulator starts answering for the controllers
     *               (the replicas the autoscalers chose, say)
     */
    ShippedCluster(Overlay overlay, java.util.function.Consumer<KubernetesClient> adjust) {
        this.overlay = overlay;
        // CRUD mode behind expectations: a test can make one request fail and the rest stay CRUD
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        overlay.all(GenericKubernetesResource.class).stream().map(ShippedCluster::context).distinct()
                .forEach(server::expectCustomResource);
        server.init();
        harness = client(HARNESS);
        ops = client("ragline-ops");
        for (HasMetadata o : overlay.objects()) {
            if (o instanceof GenericKubernetesResource g) {
                harness.genericKubernetesResources(context(g)).inNamespace(overlay.namespace()).resource(g).create();
            } else {
                harness.resource(o).create();
            }
        }
        role = RoleRules.of(overlay.find(Role.class, "ragline-ops").orElseThrow());
        adjust.accept(harness);
        simulator = new RolloutSimulator(harness, overlay.namespace());
    }

    String namespace() {
        return overlay.namespace();
    }

    KubernetesMockServer server() {
        return server;
    }

    /** Seeds and inspects; its requests are not the workflow's and are not checked. */
    KubernetesClient harness() {
        return harness;
    }

    /** What the deploy activities get, as the ops worker's service account. */
    KubernetesClient ops() {
        return ops;
    }

    RolloutSimulator simulator() {
        return simulator;
    }

    /** The overlay's ragline-ops Role, as a checker. */
    RoleRules role() {
        return role;
    }

    /** What the ops client sent since the last call (the harness's own requests, and the simulator's, left out). */
    List<ApiRequest> requests() throws InterruptedException {
        List<ApiRequest> made = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
            if (!HARNESS.equals(r.getHeader("User-Agent"))) {
                made.add(ApiRequest.of(r));
            }
        }
        return made;
    }

    /** Every request the ops client made since the last call that the shipped Role denies, one line each. */
    List<String> denials() throws InterruptedException {
        return requests().stream().map(role::denial).flatMap(java.util.Optional::stream).toList();
    }

    @Override
    public void close() {
        simulator.close();
        harness.close();
        ops.close();
        server.destroy();
    }

    private KubernetesClient client(String userAgent) {
        Config base;
        try (KubernetesClient c = server.createClient()) {
            base = c.getConfiguration();
        }
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(base).withUserAgent(userAgent)
                .withNamespace(overlay.namespace()).build()).build();
    }

    private static CustomResourceDefinitionContext context(GenericKubernetesResource g) {
        String[] apiVersion = g.getApiVersion().split("/");
        return new CustomResourceDefinitionContext.Builder()
                .withGroup(apiVersion[0]).withVersion(apiVersion[1]).withKind(g.getKind())
                .withPlural(g.getKind().toLowerCase(java.util.Locale.ROOT) + "s").withScope("Namespaced")
                .build();
    }
}
