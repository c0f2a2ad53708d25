package io.ragline.ops.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.ragline.ops.Failures;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link DeployActivities} through the fabric8 client. */
public final class DeployActivitiesImpl implements DeployActivities {
    static final String CANARY_ANNOTATION = "nginx.ingress.kubernetes.io/canary";
    static final String CANARY_WEIGHT_ANNOTATION = "nginx.ingress.kubernetes.io/canary-weight";

    private final KubernetesClient client;

    /** {@code client} may be null (no cluster, as in the embedded runtime): every call then fails permanently. */
    public DeployActivitiesImpl(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public ClusterState inspect(String namespace, String service, Strategy strategy, String container) {
        KubernetesClient k = Failures.require(client, "Kubernetes");
        if (k.namespaces().withName(namespace).get() == null) {
            throw Failures.permanent("NotFound", "namespace " + namespace + " does not exist");
        }
        return switch (strategy) {
            case ROLLING -> {
                Deployment d = deployment(namespace, service);
                Container c = container(d, container);
                yield new ClusterState(c.getImage(), replicas(d), null, c.getName());
            }
            case CANARY -> {
                Deployment d = deployment(namespace, service);
                if (k.network().v1().ingresses().inNamespace(namespace).withName(service).get() == null) {
                    throw Failures.permanent("NotFound", "ingress " + namespace + "/" + service + " does not exist");
                }
                Container c = container(d, container);
                yield new ClusterState(c.getImage(), replicas(d), null, c.getName());
            }
            case BLUE_GREEN -> {
                Service s = k.services().inNamespace(namespace).withName(service).get();
                if (s == null) {
                    throw Failures.permanent("NotFound", "service " + namespace + "/" + service + " does not exist");
                }
                Map<String, String> selector = s.getSpec().getSelector();
                String active = selector == null ? null : selector.get(COLOUR_LABEL);
                if (!"blue".equals(active) && !"green".equals(active)) {
                    throw Failures.permanent("NotBlueGreen", "service " + service + " selects no '" + COLOUR_LABEL
                            + "' blue or green: " + selector);
                }
                Deployment live = deployment(namespace, service + "-" + active);
                deployment(namespace, service + "-" + ("blue".equals(active) ? "green" : "blue"));
                Container c = container(live, container);
                yield new ClusterState(c.getImage(), replicas(live), active, c.getName());
            }
        };
    }

    @Override
    public void setImage(String namespace, String deployment, String container, String image) {
        deployment(namespace, deployment);
        client.apps().deployments().inNamespace(namespace).withName(deployment).edit(d -> {
            container(d, container).setImage(image);
            return d;
        });
    }

    @Override
    public void scale(String namespace, String deployment, int replicas) {
        deployment(namespace, deployment);
        client.apps().deployments().inNamespace(namespace).withName(deployment).edit(d -> {
            d.getSpec().setReplicas(replicas);
            return d;
        });
    }

    @Override
    public RolloutState rolloutState(String namespace, String deployment) {
        Deployment d = deployment(namespace, deployment);
        int wanted = replicas(d);
        DeploymentStatus s = d.getStatus();
        long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        long observed = s == null || s.getObservedGeneration() == null ? 0 : s.getObservedGeneration();
        int updated = s == null || s.getUpdatedReplicas() == null ? 0 : s.getUpdatedReplicas();
        int available = s == null || s.getAvailableReplicas() == null ? 0 : s.getAvailableReplicas();
        int total = s == null || s.getReplicas() == null ? 0 : s.getReplicas();
        // what `kubectl rollout status` checks: the controller saw this spec, every replica is new and
        // available, and no old replica is left
        boolean ready = observed >= generation && updated >= wanted && available >= wanted && total <= wanted;
        String image = d.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage();
        return new RolloutState(deployment, ready, wanted, updated, available, image);
    }

    @Override
    public void switchSelector(String namespace, String service, String colour) {
        KubernetesClient k = Failures.require(client, "Kubernetes");
        if (k.services().inNamespace(namespace).withName(service).get() == null) {
            throw Failures.permanent("NotFound", "service " + namespace + "/" + service + " does not exist");
        }
        k.services().inNamespace(namespace).withName(service).edit(s -> {
            Map<String, String> selector = new HashMap<>(s.getSpec().getSelector());
            selector.put(COLOUR_LABEL, colour);
            s.getSpec().setSelector(selector);
            return s;
        });
    }

    @Override
    public void startCanary(String namespace, String service, String container, String image) {
        KubernetesClient k = Failures.require(client, "Kubernetes");
        String name = service + "-canary";
        Map<String, String> labels = Map.of("app", name, "ragline.io/service", service, "ragline.io/track", "canary");

        Deployment stable = deployment(namespace, service);
        Deployment canary = new DeploymentBuilder(stable)
                .withMetadata(meta(stable.getMetadata(), name, labels))
                .editSpec()
                    .withReplicas(1)
                    .withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                    .editTemplate().editOrNewMetadata().withLabels(labels).endMetadata().endTemplate()
                .endSpec()
                .withStatus(null)
                .build();
        container(canary, container).setImage(image);
        k.resource(canary).inNamespace(namespace).createOr(NonDeletingOperation::update);

        Service stableService = k.services().inNamespace(namespace).withName(service).get();
        if (stableService == null) {
            throw Failures.permanent("NotFound", "service " + namespace + "/" + service + " does not exist");
        }
        Service canaryService = new ServiceBuilder(stableService)
                .withMetadata(meta(stableService.getMetadata(), name, labels))
                .editSpec()
                    .withSelector(Map.of("app", name))
                    .withClusterIP(null).withClusterIPs((List<String>) null)
                .endSpec()
                .withStatus(null)
                .build();
        k.resource(canaryService).inNamespace(namespace).createOr(NonDeletingOperation::update);

        Ingress stableIngress = k.network().v1().ingresses().inNamespace(namespace).withName(service).get();
        if (stableIngress == null) {
            throw Failures.permanent("NotFound", "ingress " + namespace + "/" + service + " does not exist");
        }
        Ingress canaryIngress = new IngressBuilder(stableIngress)
                .withMetadata(meta(stableIngress.getMetadata(), name, labels))
                .editMetadata()
                    .addToAnnotations(CANARY_ANNOTATION, "true")
                    .addToAnnotations(CANARY_WEIGHT_ANNOTATION, "0")
                .endMetadata()
                .withStatus(null)
                .build();
        // route the canary ingress's backends to the canary service
        canaryIngress.getSpec().getRules().forEach(rule -> {
            if (rule.getHttp() != null) {
                rule.getHttp().getPaths().forEach(path -> {
                    if (path.getBackend().getService() != null && service.equals(path.getBackend().getService().getName())) {
                        path.getBackend().getService().setName(name);
                    }
                });
            }
        });
        if (canaryIngress.getSpec().getDefaultBackend() != null
                && canaryIngress.getSpec().getDefaultBackend().getService() != null) {
            canaryIngress.getSpec().getDefaultBackend().getService().setName(name);
        }
        k.resource(canaryIngress).inNamespace(namespace).createOr(NonDeletingOperation::update);
    }

    @Override
    public void setCanaryWeight(String namespace, String service, int weight) {
        KubernetesClient k = Failures.require(client, "Kubernetes");
        var ingress = k.network().v1().ingresses().inNamespace(namespace).withName(service + "-canary");
        if (ingress.get() == null) {
            if (weight == 0) {
                return; // no canary ingress: no canary traffic, which is what weight 0 asks
            }
            throw Failures.permanent("NotFound", "canary ingress " + namespace + "/" + service + "-canary does not exist");
        }
        ingress.edit(i -> {
            i.getMetadata().getAnnotations().put(CANARY_WEIGHT_ANNOTATION, Integer.toString(weight));
            return i;
        });
    }

    @Override
    public void removeCanary(String namespace, String service) {
        KubernetesClient k = Failures.require(client, "Kubernetes");
        String name = service + "-canary";
        k.network().v1().ingresses().inNamespace(namespace).withName(name).delete();
        k.services().inNamespace(namespace).withName(name).delete();
        k.apps().deployments().inNamespace(namespace).withName(name).delete();
    }

    private Deployment deployment(String namespace, String name) {
        Deployment d = Failures.require(client, "Kubernetes").apps().deployments().inNamespace(namespace)
                .withName(name).get();
        if (d == null) {
            throw Failures.permanent("NotFound", "deployment " + namespace + "/" + name + " does not exist");
        }
        return d;
    }

    private static Container container(Deployment d, String name) {
        List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        if (name == null || name.isBlank()) {
            return containers.getFirst();
        }
        return containers.stream().filter(c -> name.equals(c.getName())).findFirst()
                .orElseThrow(() -> Failures.permanent("NotFound", "deployment " + d.getMetadata().getName()
                        + " has no container " + name));
    }

    private static int replicas(Deployment d) {
        return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    /** A fresh metadata block for a copy: the server owns uid, resourceVersion and friends. */
    private static ObjectMeta meta(ObjectMeta from, String name, Map<String, String> labels) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(from.getNamespace())
                .withLabels(labels)
                .withAnnotations(from.getAnnotations() == null ? new HashMap<>() : new HashMap<>(from.getAnnotations()))
                .build();
    }
}
