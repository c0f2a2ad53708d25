package io.ragline.devstack.deploy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Plays the Deployment and StatefulSet controllers the mock API server lacks, writing only the status
 * fields they write, through the status subresource. Pods of an image marked {@link #neverReady} never
 * become ready, so a rollout to it never finishes (as with an image that crashes on start). The
 * StatefulSet side keeps each pod's revision: a partition holds back the ordinals below it, the update
 * goes from the highest ordinal down and stops at a pod that is not ready, and the current revision
 * becomes the update revision once every pod runs it.
 */
final class RolloutSimulator implements AutoCloseable {
    private final KubernetesClient client;
    private final Set<String> broken = ConcurrentHashMap.newKeySet();
    private final Map<String, TreeMap<Integer, String>> podRevisions = new ConcurrentHashMap<>();
    private final Map<String, String> revisionImages = new ConcurrentHashMap<>();
    private final SharedIndexInformer<Deployment> deployments;
    private final SharedIndexInformer<StatefulSet> statefulSets;

    RolloutSimulator(KubernetesClient client, String namespace) {
        this.client = client;
        this.deployments = client.apps().deployments().inNamespace(namespace).inform(handler(this::deployment));
        this.statefulSets = client.apps().statefulSets().inNamespace(namespace).inform(handler(this::statefulSet));
    }

    /** Pods running {@code image} never pass their readiness probe. */
    void neverReady(String image) {
        broken.add(image);
    }

    private void deployment(Deployment d) {
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        boolean ready = !broken.contains(d.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage());
        int up = ready ? replicas : 0;
        DeploymentStatus want = new DeploymentStatusBuilder()
                .withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(replicas).withUpdatedReplicas(replicas)
                .withReadyReplicas(up).withAvailableReplicas(up).withUnavailableReplicas(replicas - up)
                .build();
        if (Objects.equals(d.getStatus(), want)) {
            return;
        }
        edit(() -> client.apps().deployments().inNamespace(d.getMetadata().getNamespace())
                .withName(d.getMetadata().getName()).editStatus(x -> {
                    x.setStatus(want);
                    return x;
                }));
    }

    private void statefulSet(StatefulSet s) {
        String name = s.getMetadata().getName();
        int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
        var rolling = s.getSpec().getUpdateStrategy() == null ? null : s.getSpec().getUpdateStrategy().getRollingUpdate();
        int partition = rolling == null || rolling.getPartition() == null ? 0 : rolling.getPartition();
        String update = name + "-" + Integer.toHexString(
                client.getKubernetesSerialization().asJson(s.getSpec().getTemplate()).hashCode());
        revisionImages.put(update, s.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage());
        String current = s.getStatus() == null || s.getStatus().getCurrentRevision() == null ? update
                : s.getStatus().getCurrentRevision();
        TreeMap<Integer, String> pods = podRevisions.computeIfAbsent(name, n -> new TreeMap<>());
        pods.keySet().removeIf(ordinal -> ordinal >= replicas);
        for (int i = 0; i < replicas; i++) {
            pods.putIfAbsent(i, i >= partition ? update : current);
        }
        for (int i = replicas - 1; i >= partition; i--) {
            if (!update.equals(pods.get(i))) {
                pods.put(i, update);
            }
            if (!ready(update)) {
                break; // the controller waits for this pod before it updates the next one
            }
        }
        int updated = (int) pods.values().stream().filter(update::equals).count();
        String nowCurrent = updated == replicas ? update : current;
        int ready = (int) pods.values().stream().filter(this::ready).count();
        StatefulSetStatus want = new StatefulSetStatusBuilder()
                .withObservedGeneration(s.getMetadata().getGeneration())
                .withReplicas(replicas).withReadyReplicas(ready).withAvailableReplicas(ready)
                .withUpdatedReplicas(updated)
                .withCurrentReplicas((int) pods.values().stream().filter(nowCurrent::equals).count())
                .withCurrentRevision(nowCurrent).withUpdateRevision(update)
                .build();
        if (Objects.equals(s.getStatus(), want)) {
            return;
        }
        edit(() -> client.apps().statefulSets().inNamespace(s.getMetadata().getNamespace()).withName(name)
                .editStatus(x -> {
                    x.setStatus(want);
                    return x;
                }));
    }

    private boolean ready(String revision) {
        return !broken.contains(revisionImages.get(revision));
    }

    private static void edit(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // deleted or changed meanwhile: the next event converges it
        }
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> converge) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                converge.accept(obj);
            }

            @Override
            public void onUpdate(T old, T obj) {
                converge.accept(obj);
            }

            @Override
            public void onDelete(T obj, boolean unknown) {
            }
        };
    }

    @Override
    public void close() {
        deployments.close();
        statefulSets.close();
    }
}
