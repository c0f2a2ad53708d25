package io.ragline.ops.backup;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.KubernetesListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The namespace's Deployments, StatefulSets, Services, Ingresses and ConfigMaps as one
 * {@code kubectl apply}-able list, stripped of what the server owns. Secrets are left out: they
 * belong in a secret manager, not in a backup bucket.
 */
public final class KubernetesConfigExport {
    private final KubernetesClient client;

    public KubernetesConfigExport(KubernetesClient client) {
        this.client = client;
    }

    public KubernetesList export(String namespace) {
        List<HasMetadata> items = new ArrayList<>();
        items.addAll(client.configMaps().inNamespace(namespace).list().getItems());
        // status is the cluster's observation, not configuration
        client.services().inNamespace(namespace).list().getItems().forEach(s -> {
            s.setStatus(null);
            items.add(s);
        });
        client.apps().deployments().inNamespace(namespace).list().getItems().forEach(d -> {
            d.setStatus(null);
            items.add(d);
        });
        client.apps().statefulSets().inNamespace(namespace).list().getItems().forEach(s -> {
            s.setStatus(null);
            items.add(s);
        });
        client.network().v1().ingresses().inNamespace(namespace).list().getItems().forEach(i -> {
            i.setStatus(null);
            items.add(i);
        });
        items.sort(Comparator.comparing((HasMetadata h) -> h.getKind()).thenComparing(h -> h.getMetadata().getName()));
        for (HasMetadata item : items) {
            item.getMetadata().setResourceVersion(null);
            item.getMetadata().setUid(null);
            item.getMetadata().setManagedFields(null);
            item.getMetadata().setCreationTimestamp(null);
            item.getMetadata().setGeneration(null);
        }
        return new KubernetesListBuilder().withItems(items).build();
    }

    public String toYaml(KubernetesList list) {
        return client.getKubernetesSerialization().asYaml(list);
    }
}
