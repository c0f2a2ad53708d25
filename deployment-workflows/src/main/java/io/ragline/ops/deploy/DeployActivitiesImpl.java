package io.ragline.ops.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.ragline.ops.Failures;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** {@link DeployActivities} through the fabric8 client. */
public final class DeployActivitiesImpl implements DeployActivities {
    // named explicitly: a lookup through API discovery would need a permission the Role does not give
    static final ResourceDefinitionContext SCALED_OBJECTS = new ResourceDefinitionContext.Builder()
            .withGroup("keda.sh").withVersion("v1alpha1").withKind("ScaledObject").withPlural("scaledobjects")
            .withNamespaced(true).build();
    // answers no retry changes: bad request, forbidden, not found, conflict, invalid
    // (409 is not among them: a conflict with a controller's write goes away on the next attempt)
    private static final Set<Integer> PERMANENT = Set.of(400, 401, 403, 404, 405, 422);

    private static final String MANAGED_BY = "app.kubernetes.io/managed-by";

    private final KubernetesClient client;

    /** {@code client} may be null (no cluster, as in the embedded runtime): every call then fails permanently. */
    public DeployActivitiesImpl(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public ClusterState inspect(String namespace, String service, Strategy strategy, String container) {
        return call(() -> {
            KubernetesClient k = k8s();
            // listed by name, not read: a get would have to be granted on both kinds for every name
            Deployment d = k.apps().deployments().inNamespace(namespace).withField("metadata.name", service).list()
                    .getItems().stream().findFirst().orElse(null);
            if (d != null) {
                Container c = container(d.getSpec().getTemplate(), container, "deployment " + service);
                String scaledObject = null;
                String pausedBefore = null;
                if (strategy == Strategy.BLUE_GREEN) {
                    GenericKubernetesResource so = k.genericKubernetesResources(SCALED_OBJECTS).inNamespace(namespace)
                            .withName(service).get();
                    if (so != null && service.equals(scaleTarget(so))) {
                        scaledObject = service;
                        pausedBefore = so.getMetadata().getAnnotations() == null ? null
                                : so.getMetadata().getAnnotations().get(KEDA_PAUSED);
                    }
                }
                return new ClusterState(WorkloadKind.DEPLOYMENT, c.getImage(), replicas(d.getSpec().getReplicas()),
                        c.getName(), scaledObject, pausedBefore);
            }
            StatefulSet s = k.apps().statefulSets().inNamespace(namespace).withField("metadata.name", service).list()
                    .getItems().stream().findFirst().orElse(null);
            if (s == null) {
                throw Failures.permanent("NotFound", "neither a Deployment nor a StatefulSet " + namespace + "/"
                        + service + " exists");
            }
            if (strategy == Strategy.BLUE_GREEN) {
                throw Failures.permanent("InvalidInput", "BLUE_GREEN cannot deploy StatefulSet " + service
                        + ": each replica owns its index on its own volume, so a second full fleet would rebuild"
                        + " every index from Kafka before it could take traffic; use CANARY (by partition) or ROLLING");
            }
            Container c = container(s.getSpec().getTemplate(), container, "statefulset " + service);
            return new ClusterState(WorkloadKind.STATEFUL_SET, c.getImage(), replicas(s.getSpec().getReplicas()),
                    c.getName(), null, null);
        });
    }

    @Override
    public void setImage(String namespace, WorkloadKind kind, String name, String container, String image) {
        run(() -> {
            PodTemplateSpec template = kind == WorkloadKind.STATEFUL_SET
                    ? statefulSet(namespace, name).getSpec().getTemplate()
                    : deployment(namespace, name).getSpec().getTemplate();
            Container c = container(template, container, kind.name().toLowerCase() + " " + name);
            String path = "/spec/template/spec/containers/" + template.getSpec().getContainers().indexOf(c);
            // as `kubectl set image`: no resourceVersion, so a controller's status write in between
            // does not conflict; the test op makes sure the index still names the container
            patch(namespace, kind, name, List.of(
                    Map.of("op", "test", "path", path + "/name", "value", c.getName()),
                    Map.of("op", "replace", "path", path + "/image", "value", image)));
        });
    }

    @Override
    public void setPartition(String namespace, String name, int partition) {
        run(() -> {
            StatefulSetUpdateStrategy strategy = statefulSet(namespace, name).getSpec().getUpdateStrategy();
            if (strategy != null && strategy.getType() != null && !"RollingUpdate".equals(strategy.getType())) {
                throw Failures.permanent("InvalidInput", "statefulset " + name + " has updateStrategy "
                        + strategy.getType() + "; a partition needs RollingUpdate");
            }
            Map<String, Object> op;
            if (strategy == null) {
                op = Map.of("op", "add", "path", "/spec/updateStrategy", "value", Map.of("type", "RollingUpdate", "rollingUpdate", Map.of("partition", partition)));
            } else if (strategy.getRollingUpdate() == null) {
                op = Map.of("op", "add", "path", "/spec/updateStrategy/rollingUpdate",
                        "value", Map.of("partition", partition));
            } else {
                op = Map.of("op", "add", "path", "/spec/updateStrategy/rollingUpdate/partition", "value", partition);
            }
            patch(namespace, WorkloadKind.STATEFUL_SET, name, List.of(op));
        });
    }

    @Override
    public void scale(String namespace, String deployment, int replicas) {
        run(() -> {
            deployment(namespace, deployment);
            // add, not replace: a Deployment an autoscaler owns may have no spec.replicas in its manifest
            patch(namespace, WorkloadKind.DEPLOYMENT, deployment,
                    List.of(Map.of("op", "add", "path", "/spec/replicas", "value", replicas)));
        });
    }

    private void patch(String namespace, WorkloadKind kind, String name, List<Map<String, Object>> ops) {
        String json = k8s().getKubernetesSerialization().asJson(ops);
        PatchContext context = PatchContext.of(PatchType.JSON);
        if (kind == WorkloadKind.STATEFUL_SET) {
            k8s().apps().statefulSets().inNamespace(namespace).withName(name).patch(context, json);
        } else {
            k8s().apps().deployments().inNamespace(namespace).withName(name).patch(context, json);
        }
    }

    @Override
    public RolloutState rolloutState(String namespace, WorkloadKind kind, String name) {
        return call(() -> kind == WorkloadKind.STATEFUL_SET
                ? Rollouts.of(statefulSet(namespace, name))
                : Rollouts.of(deployment(namespace, name)));
    }

    @Override
    public void createCopy(String namespace, String stable, String track, String container, String image,
                           int replicas) {
        run(() -> {
            Deployment from = deployment(namespace, stable);
            String name = stable + "-" + track;
            Map<String, String> labels = track(from.getMetadata().getLabels(), track);
            // not kustomize's: an `apply --prune` of the manifests must not delete a copy mid-deploy
            labels.put(MANAGED_BY, "ragline-ops");
            Deployment copy = new DeploymentBuilder()
                    .withNewMetadata()
                        .withName(name).withNamespace(namespace).withLabels(labels)
                    .endMetadata()
                    .withSpec(new DeploymentBuilder(from).build().getSpec())
                    .build();
            copy.getSpec().setReplicas(replicas);
            copy.getSpec().getSelector().setMatchLabels(track(from.getSpec().getSelector().getMatchLabels(), track));
            copy.getSpec().getTemplate().getMetadata().setLabels(track(from.getSpec().getTemplate().getMetadata()
                    .getLabels(), track));
            container(copy.getSpec().getTemplate(), container, "deployment " + stable).setImage(image);
            var copies = k8s().apps().deployments().inNamespace(namespace);
            if (copies.withName(name).get() == null) {
                copies.resource(copy).create();
            } else {
                // left by an earlier run: the same selector, so its spec can be replaced
                copies.withName(name).edit(d -> {
                    d.getMetadata().setLabels(copy.getMetadata().getLabels());
                    d.setSpec(copy.getSpec());
                    return d;
                });
            }
        });
    }

    @Override
    public void deleteCopy(String namespace, String stable, String track) {
        run(() -> k8s().apps().deployments().inNamespace(namespace).withName(stable + "-" + track).delete());
    }

    @Override
    public void setAutoscalingPaused(String namespace, String scaledObject, String paused) {
        run(() -> {
            var so = k8s().genericKubernetesResources(SCALED_OBJECTS).inNamespace(namespace).withName(scaledObject);
            if (so.get() == null) {
                throw Failures.permanent("NotFound", "scaledobject " + namespace + "/" + scaledObject + " does not exist");
            }
            // a JSON merge patch: null removes the annotation
            String value = paused == null ? "null" : k8s().getKubernetesSerialization().asJson(paused);
            so.patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"annotations\":{\"" + KEDA_PAUSED + "\":" + value + "}}}");
        });
    }

    private KubernetesClient k8s() {
        return Failures.require(client, "Kubernetes (in a pod: its service-account token; elsewhere: KUBECONFIG)");
    }

    private Deployment deployment(String namespace, String name) {
        Deployment d = k8s().apps().deployments().inNamespace(namespace).withName(name).get();
        if (d == null) {
            throw Failures.permanent("NotFound", "deployment " + namespace + "/" + name + " does not exist");
        }
        return d;
    }

    private StatefulSet statefulSet(String namespace, String name) {
        StatefulSet s = k8s().apps().statefulSets().inNamespace(namespace).withName(name).get();
        if (s == null) {
            throw Failures.permanent("NotFound", "statefulset " + namespace + "/" + name + " does not exist");
        }
        return s;
    }

    /** The API server's 4xx answers are final: retrying them only delays the rollback. */
    private static <T> T call(Supplier<T> body) {
        try {
            return body.get();
        } catch (KubernetesClientException e) {
            if (PERMANENT.contains(e.getCode())) {
                throw Failures.permanent("KubernetesRejected", "Kubernetes answered " + e.getCode() + ": "
                        + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                        : e.getMessage()));
            }
            throw e;
        }
    }

    private static void run(Runnable body) {
        call(() -> {
            body.run();
            return null;
        });
    }

    private static Map<String, String> track(Map<String, String> labels, String track) {
        Map<String, String> copy = labels == null ? new HashMap<>() : new HashMap<>(labels);
        copy.put(TRACK_LABEL, track);
        return copy;
    }

    private static String scaleTarget(GenericKubernetesResource so) {
        Object spec = so.getAdditionalProperties().get("spec");
        if (spec instanceof Map<?, ?> m && m.get("scaleTargetRef") instanceof Map<?, ?> ref) {
            return String.valueOf(ref.get("name"));
        }
        return null;
    }

    private static Container container(PodTemplateSpec template, String name, String what) {
        List<Container> containers = template.getSpec().getContainers();
        if (name == null || name.isBlank()) {
            return containers.getFirst();
        }
        return containers.stream().filter(c -> name.equals(c.getName())).findFirst()
                .orElseThrow(() -> Failures.permanent("NotFound", what + " has no container " + name));
    }

    private static int replicas(Integer replicas) {
        return replicas == null ? 1 : replicas;
    }
}
