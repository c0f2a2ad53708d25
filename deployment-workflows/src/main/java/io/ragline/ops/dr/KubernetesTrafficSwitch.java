package io.ragline.ops.dr;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ragline.ops.Failures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Switches traffic by pointing an Ingress's backends at the Service of an environment (each
 * environment runs its search API behind its own Service in the Ingress's namespace).
 */
public final class KubernetesTrafficSwitch implements TrafficSwitch {
    private final KubernetesClient client;
    private final String namespace;
    private final String ingress;
    private final Map<String, String> serviceByEnvironment;

    /** @param serviceByEnvironment environment name to the Service that fronts it, e.g. primary → search-api */
    public KubernetesTrafficSwitch(KubernetesClient client, String namespace, String ingress,
                                   Map<String, String> serviceByEnvironment) {
        this.client = client;
        this.namespace = namespace;
        this.ingress = ingress;
        this.serviceByEnvironment = Map.copyOf(serviceByEnvironment);
    }

    @Override
    public String switchTo(String environment) {
        String service = serviceByEnvironment.get(environment);
        if (service == null) {
            throw Failures.permanent("UnknownEnvironment", "no service known for environment " + environment
                    + "; known: " + serviceByEnvironment.keySet());
        }
        String previous = current();
        client.network().v1().ingresses().inNamespace(namespace).withName(ingress).edit(i -> {
            backends(i).forEach(b -> {
                if (serviceByEnvironment.containsValue(b.getName())) {
                    b.setName(service);
                }
            });
            return i;
        });
        return previous;
    }

    @Override
    public String current() {
        Ingress i = client.network().v1().ingresses().inNamespace(namespace).withName(ingress).get();
        if (i == null) {
            throw Failures.permanent("NotFound", "ingress " + namespace + "/" + ingress + " does not exist");
        }
        for (IngressServiceBackend b : backends(i)) {
            for (Map.Entry<String, String> e : serviceByEnvironment.entrySet()) {
                if (e.getValue().equals(b.getName())) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    private static List<IngressServiceBackend> backends(Ingress i) {
        List<IngressServiceBackend> backends = new ArrayList<>();
        if (i.getSpec().getDefaultBackend() != null) {
            backends.add(i.getSpec().getDefaultBackend().getService());
        }
        if (i.getSpec().getRules() != null) {
            i.getSpec().getRules().stream().filter(r -> r.getHttp() != null)
                    .flatMap(r -> r.getHttp().getPaths().stream())
                    .forEach(p -> backends.add(p.getBackend().getService()));
        }
        backends.removeIf(Objects::isNull);
        return backends;
    }
}
