package io.ragline.devstack.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** One rendered overlay as typed fabric8 objects (CRDs as {@link GenericKubernetesResource}). */
record Overlay(String name, String namespace, List<ObjectNode> raw, List<HasMetadata> objects) {
    static final List<String> NAMES = List.of("dev", "staging", "prod", "dr");
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Map<String, Overlay> CACHE = new ConcurrentHashMap<>();

    static Overlay of(String name) {
        return CACHE.computeIfAbsent(name, n -> {
            Path dir = Repo.path("k8s/overlays/" + n);
            List<ObjectNode> raw = Kustomize.render(dir);
            String namespace = Repo.yamlObjects(dir.resolve("kustomization.yaml")).getFirst().path("namespace").asText();
            return new Overlay(n, namespace, raw, typed(raw));
        });
    }

    /**
     * The same objects in another namespace: every field whose whole value is this overlay's namespace
     * (object namespaces, the Namespace's name, RoleBinding subjects) names {@code other} instead.
     */
    Overlay inNamespace(String other) {
        String from = Repo.JSON.getNodeFactory().textNode(namespace).toString();
        String to = Repo.JSON.getNodeFactory().textNode(other).toString();
        List<ObjectNode> moved = new ArrayList<>();
        for (ObjectNode node : raw) {
            try {
                moved.add((ObjectNode) Repo.JSON.readTree(Repo.JSON.writeValueAsString(node).replace(from, to)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return new Overlay(name, other, moved, typed(moved));
    }

    static List<HasMetadata> typed(List<ObjectNode> raw) {
        List<HasMetadata> objects = new ArrayList<>();
        for (ObjectNode node : raw) {
            try {
                KubernetesResource r = SERIALIZATION.unmarshal(Repo.JSON.writeValueAsString(node), KubernetesResource.class);
                objects.add((HasMetadata) r);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return objects;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<GenericKubernetesResource> custom(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(r -> kind.equals(r.getKind())).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
    }

    /** A thing that runs pods: kind, name, the labels of its pods, and its pod spec where we have one. */
    record Workload(String kind, String name, Map<String, String> podLabels, PodSpec spec) {
    }

    List<Workload> workloads() {
        List<Workload> w = new ArrayList<>();
        for (Deployment d : all(Deployment.class)) {
            w.add(new Workload("Deployment", d.getMetadata().getName(), d.getSpec().getTemplate().getMetadata().getLabels(),
                    d.getSpec().getTemplate().getSpec()));
        }
        for (StatefulSet s : all(StatefulSet.class)) {
            w.add(new Workload("StatefulSet", s.getMetadata().getName(), s.getSpec().getTemplate().getMetadata().getLabels(),
                    s.getSpec().getTemplate().getSpec()));
        }
        // operator-made pods: CloudNativePG labels its instances cnpg.io/cluster=<name>
        for (GenericKubernetesResource c : custom("Cluster")) {
            w.add(new Workload("Cluster", c.getMetadata().getName(), Map.of("cnpg.io/cluster", c.getMetadata().getName()), null));
        }
        return w;
    }

    Optional<Workload> workload(String kind, String name) {
        return workloads().stream().filter(w -> w.kind().equals(kind) && w.name().equals(name)).findFirst();
    }

    List<Workload> selected(LabelSelector selector) {
        return workloads().stream().filter(w -> matches(selector, w.podLabels())).toList();
    }

    static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && selector.entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /** Label-selector semantics; an empty selector selects everything, a null one nothing. */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null && !matches(selector.getMatchLabels(), labels)) {
            return false;
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String value = labels.get(r.getKey());
                boolean ok = switch (r.getOperator()) {
                    case "In" -> value != null && r.getValues().contains(value);
                    case "NotIn" -> value == null || !r.getValues().contains(value);
                    case "Exists" -> value != null;
                    case "DoesNotExist" -> value == null;
                    default -> throw new IllegalArgumentException(r.getOperator());
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
