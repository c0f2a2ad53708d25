package io.ragline.devstack.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Stands in for the controllers of the dr namespace on the mock API server, and sets only what they
 * set: the Deployment controller's status (observedGeneration, replicas, updated, ready, available)
 * once spec.replicas changed, and CloudNativePG's Cluster status (a new timeline with a healthy
 * primary) once spec.replica.enabled is false. Either can be told never to finish.
 */
final class StandbyControllers implements AutoCloseable {
    static final String PRIMARY_POD = "ragline-pg-1";

    private final KubernetesClient client;
    private final String namespace;
    private final ResourceDefinitionContext clusters;
    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private final List<Watch> watches;
    volatile boolean postgresPromotes = true;
    volatile boolean rolloutsFinish = true;

    StandbyControllers(KubernetesClient client, String namespace, ResourceDefinitionContext clusters) {
        this.client = client;
        this.namespace = namespace;
        this.clusters = clusters;
        this.watches = List.of(
                client.apps().deployments().inNamespace(namespace).watch(watcher(this::rollOut)),
                client.genericKubernetesResources(clusters).inNamespace(namespace).watch(watcher(this::promote)));
    }

    /** The status CloudNativePG reports for a healthy replica cluster on timeline 1 (before any failover). */
    static Map<String, Object> replicaStatus(int instances) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("instances", instances);
        status.put("readyInstances", instances);
        status.put("currentPrimary", PRIMARY_POD); // a replica cluster's designated primary
        status.put("targetPrimary", PRIMARY_POD);
        status.put("timelineID", 1);
        status.put("phase", "Cluster in healthy state");
        return status;
    }

    /** CloudNativePG, stuck until now, finishes the promotion it was asked for. */
    void resumePromotion() {
        postgresPromotes = true;
        worker.execute(() -> promote(client.genericKubernetesResources(clusters).inNamespace(namespace)
                .withName("ragline-pg").get()));
    }

    private void rollOut(Deployment event) {
        // the newest version, not the event's: a status written on a stale one would conflict
        Deployment d = client.apps().deployments().inNamespace(namespace).withName(event.getMetadata().getName()).get();
        int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        Integer ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
        if (!rolloutsFinish || (ready == null ? 0 : ready) == want && d.getStatus().getReplicas() != null) {
            return;
        }
        d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(want).withUpdatedReplicas(want).withReadyReplicas(want).withAvailableReplicas(want)
                .build());
        client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
    }

    @SuppressWarnings("unchecked")
    private void promote(GenericKubernetesResource event) {
        GenericKubernetesResource c = client.genericKubernetesResources(clusters).inNamespace(namespace)
                .withName(event.getMetadata().getName()).get();
        Map<String, Object> spec = (Map<String, Object>) c.getAdditionalProperties().get("spec");
        Map<String, Object> replica = (Map<String, Object>) spec.get("replica");
        Map<String, Object> status = (Map<String, Object>) c.getAdditionalProperties().get("status");
        boolean replicaMode = replica != null && Boolean.TRUE.equals(replica.get("enabled"));
        if (!postgresPromotes || replicaMode || status == null || ((Number) status.get("timelineID")).intValue() != 1) {
            return;
        }
        Map<String, Object> promoted = new LinkedHashMap<>(status);
        promoted.put("timelineID", 2);
        c.getAdditionalProperties().put("status", promoted);
        client.genericKubernetesResources(clusters).inNamespace(namespace).resource(c).updateStatus();
    }

    private <T> Watcher<T> watcher(Consumer<T> react) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, T resource) {
                if (action == Action.ADDED || action == Action.MODIFIED) {
                    worker.execute(() -> react.accept(resource));
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }

    @Override
    public void close() {
        watches.forEach(Watch::close);
        worker.shutdownNow();
    }
}
