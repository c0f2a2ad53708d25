package io.ragline.ops.deploy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Objects;

/**
 * Plays the Deployment controller the mock API server lacks: whenever a Deployment's spec changes
 * it reports every replica updated and available, through the status subresource, as the real
 * controller does once pods are ready.
 */
final class RolloutController implements AutoCloseable {
    private final KubernetesClient client;
    private final SharedIndexInformer<Deployment> informer;

    RolloutController(KubernetesClient client) {
        this.client = client;
        this.informer = client.apps().deployments().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Deployment d) {
                converge(d);
            }

            @Override
            public void onUpdate(Deployment old, Deployment d) {
                converge(d);
            }

            @Override
            public void onDelete(Deployment d, boolean unknown) {
            }
        });
    }

    private void converge(Deployment d) {
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        DeploymentStatus want = new DeploymentStatusBuilder()
                .withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(replicas).withUpdatedReplicas(replicas)
                .withReadyReplicas(replicas).withAvailableReplicas(replicas)
                .build();
        if (Objects.equals(d.getStatus(), want)) {
            return;
        }
        try {
            client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName())
                    .editStatus(x -> {
                        x.setStatus(want);
                        return x;
                    });
        } catch (RuntimeException e) {
            // deleted or changed meanwhile: the next event converges it
        }
    }

    @Override
    public void close() {
        informer.close();
    }
}
