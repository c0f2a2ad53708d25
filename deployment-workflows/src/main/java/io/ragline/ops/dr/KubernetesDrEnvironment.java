package io.ragline.ops.dr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.ragline.ops.Failures;
import io.ragline.ops.OpsWorker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm standby of {@code k8s/overlays/dr} as a DR environment and its traffic switch. Start
 * promotes the CloudNativePG replica cluster ({@code spec.replica.enabled: false}, then waits for a
 * new timeline with a healthy primary), unpauses KEDA for the workflow workers and scales ingest and
 * workflows to the replicas their {@link #FAILOVER_REPLICAS} annotation names, then waits for their
 * rollouts. The restore lands on {@link OpsWorker#environmentTaskQueue}, served there by the workflow
 * workers ({@code RAGLINE_OPS_ENVIRONMENT=dr}). The switch adds the production host (annotation
 * {@link #FAILOVER_HOST} on the dr Ingress) to the dr Ingress. Every call is one the overlay's Role
 * {@code ragline-dr-failover} grants; the object names below are the overlay's.
 */
public final class KubernetesDrEnvironment implements Environments, TrafficSwitch {
    private static final Logger log = LoggerFactory.getLogger(KubernetesDrEnvironment.class);
    /** On ingest and workflows: their replicas after a failover (the overlay keeps them at zero). */
    public static final String FAILOVER_REPLICAS = "ragline.io/failover-replicas";
    /** On the dr Ingress: the host users reach ragline on, which it serves after a failover. */
    public static final String FAILOVER_HOST = "ragline.io/failover-host";
    static final String KEDA_PAUSED = "autoscaling.keda.sh/paused-replicas";
    /** On the Cluster, set when promoting: the timeline it followed as a replica. */
    public static final String PROMOTED_FROM = "ragline.io/promoted-from-timeline";
    static final String POSTGRES = "ragline-pg";
    static final List<String> SCALED = List.of("ragline-ingest", "ragline-workflows");
    static final String WORKFLOWS_SCALED_OBJECT = "ragline-workflows";
    static final String INGRESS = "ragline-search";
    static final String SEARCH = "ragline-search";
    static final String HEALTHY = "Cluster in healthy state";
    static final ResourceDefinitionContext CNPG_CLUSTER = new ResourceDefinitionContext.Builder()
            .withGroup("postgresql.cnpg.io").withVersion("v1").withKind("Cluster").withPlural("clusters")
            .withNamespaced(true).build();
    static final ResourceDefinitionContext SCALED_OBJECT = new ResourceDefinitionContext.Builder()
            .withGroup("keda.sh").withVersion("v1alpha1").withKind("ScaledObject").withPlural("scaledobjects")
            .withNamespaced(true).build();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final KubernetesDrSettings settings;

    public KubernetesDrEnvironment(KubernetesClient client, KubernetesDrSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    @Override
    public List<String> check(String name) {
        if (!settings.environment().equals(name)) {
            return List.of("no environment " + name + " on Kubernetes (known: " + settings.environment()
                    + " in namespace " + settings.namespace() + ")");
        }
        List<String> problems = new ArrayList<>();
        try {
            GenericKubernetesResource pg = postgres().get();
            if (pg == null) {
                problems.add("no CloudNativePG Cluster " + where(POSTGRES));
            } else if (!replica(pg) && (pg.getMetadata().getAnnotations() == null
                    || !pg.getMetadata().getAnnotations().containsKey(PROMOTED_FROM))) {
                problems.add("PostgreSQL " + where(POSTGRES) + " is no replica cluster, and no DR run promoted it");
            }
            for (String d : SCALED) {
                Deployment deployment = deployment(d).get();
                if (deployment == null) {
                    problems.add("no Deployment " + where(d));
                } else if (failoverReplicas(deployment) == null) {
                    problems.add("Deployment " + where(d) + " has no " + FAILOVER_REPLICAS + " annotation (a count >= 1)");
                }
            }
            if (scaledObject().get() == null) {
                problems.add("no ScaledObject " + where(WORKFLOWS_SCALED_OBJECT));
            }
            Ingress ingress = ingress().get();
            if (ingress == null) {
                problems.add("no Ingress " + where(INGRESS));
            } else if (failoverHost(ingress) == null) {
                problems.add("Ingress " + where(INGRESS) + " has no " + FAILOVER_HOST + " annotation");
            }
        } catch (KubernetesClientException e) {
            problems.add("the Kubernetes API refused a read in " + settings.namespace() + ": " + e.getMessage());
        }
        return problems;
    }

    @Override
    public EnvironmentInfo start(String name) {
        requireKnown(name);
        promotePostgres();
        // KEDA owns the workflow workers' replicas once unpaused; the explicit count covers the time until it acts
        Map<String, String> keda = scaledObject().require().getMetadata().getAnnotations();
        if (keda != null && keda.containsKey(KEDA_PAUSED)) {
            // a JSON patch: "remove" says what it means, where a merge patch's null is easy to get wrong
            scaledObject().patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"remove\",\"path\":\"/metadata/annotations/"
                    + KEDA_PAUSED.replace("/", "~1") + "\"}]");
        }
        for (String d : SCALED) {
            Integer replicas = failoverReplicas(deployment(d).require());
            if (replicas == null) {
                throw Failures.permanent("InvalidEnvironment", "Deployment " + where(d) + " has no "
                        + FAILOVER_REPLICAS + " annotation");
            }
            scale(d, replicas);
        }
        for (String d : SCALED) {
            await(deployment(d), KubernetesDrEnvironment::rolledOut, "Deployment " + where(d) + " ready");
        }
        String host = ingress().require().getSpec().getRules().getFirst().getHost();
        EnvironmentInfo info = new EnvironmentInfo(name, OpsWorker.environmentTaskQueue(name), "https://" + host);
        log.info("environment {} is up in namespace {}: {}", name, settings.namespace(), info.endpoint());
        return info;
    }

    /** Kubernetes' view: PostgreSQL promoted and healthy, every part's pods ready. */
    @Override
    public List<String> smokeTest(String name) {
        requireKnown(name);
        List<String> failures = new ArrayList<>();
        GenericKubernetesResource pg = postgres().get();
        if (pg == null || !promoted(pg)) {
            failures.add("PostgreSQL " + where(POSTGRES) + " is not a healthy primary");
        }
        for (String d : SCALED) {
            Deployment deployment = deployment(d).get();
            if (deployment == null || value(deployment.getSpec().getReplicas()) < 1 || !rolledOut(deployment)) {
                failures.add("Deployment " + where(d) + " is not ready (or still at zero)");
            }
        }
        StatefulSet search = client.apps().statefulSets().inNamespace(settings.namespace()).withName(SEARCH).get();
        if (search == null || search.getStatus() == null || search.getStatus().getReadyReplicas() == null
                || search.getStatus().getReadyReplicas() < 1) {
            failures.add("StatefulSet " + where(SEARCH) + " has no ready replica");
        }
        return failures;
    }

    /**
     * A drill's tear-down: ingest and workflows back to zero, KEDA paused at zero again, and
     * PostgreSQL back in replica mode, so that nothing writes into the standby any more. The drill's
     * restore wrote to it: it has left prod's timeline and cannot follow prod's WAL again, so it has
     * to be re-created from prod before a failover can rely on it (k8s/overlays/dr/postgres-cluster.yaml).
     */
    @Override
    public void tearDown(String name) {
        requireKnown(name);
        for (String d : SCALED) {
            scale(d, 0);
        }
        scaledObject().patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"" + KEDA_PAUSED + "\":\"0\"}}}");
        postgres().patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\""
                + PROMOTED_FROM + "\":null}},\"spec\":{\"replica\":{\"enabled\":true}}}");
        log.warn("environment {}: PostgreSQL {} is a replica again but diverged from prod during the drill; "
                + "re-create it from prod before relying on it", name, where(POSTGRES));
    }

    /** Adds the production host to the dr Ingress (TLS included); DNS follows the Ingress (external-dns). */
    @Override
    public String switchTo(String environment) {
        requireKnown(environment);
        String previous = current();
        Ingress ingress = ingress().require();
        String host = Objects.requireNonNull(failoverHost(ingress), FAILOVER_HOST);
        if (ingress.getSpec().getRules().stream().noneMatch(r -> host.equals(r.getHost()))) {
            ingress().edit(i -> {
                IngressRule serving = new IngressRuleBuilder(i.getSpec().getRules().getFirst()).withHost(host).build();
                i.getSpec().getRules().add(serving);
                if (i.getSpec().getTls() != null && !i.getSpec().getTls().isEmpty()
                        && !i.getSpec().getTls().getFirst().getHosts().contains(host)) {
                    i.getSpec().getTls().getFirst().getHosts().add(host);
                }
                return i;
            });
        }
        log.info("the dr Ingress {} now serves {}", where(INGRESS), host);
        return previous;
    }

    @Override
    public String current() {
        Ingress ingress = ingress().get();
        if (ingress == null) {
            throw Failures.permanent("NotFound", "no Ingress " + where(INGRESS));
        }
        String host = failoverHost(ingress);
        boolean serving = host != null && ingress.getSpec().getRules().stream().anyMatch(r -> host.equals(r.getHost()));
        return serving ? settings.environment() : KubernetesDrSettings.PRIMARY;
    }

    /**
     * Promotion is done when the cluster runs on a newer timeline than it did as a replica. That
     * timeline is recorded on the Cluster in the same patch that promotes it, so that a retried start
     * still waits for the promotion rather than taking the old replica's healthy status for it.
     */
    private void promotePostgres() {
        GenericKubernetesResource pg = postgres().require();
        if (replica(pg)) {
            long timeline = timeline(pg);
            postgres().patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\""
                    + PROMOTED_FROM + "\":\"" + timeline + "\"}},\"spec\":{\"replica\":{\"enabled\":false}}}");
            log.info("promoting PostgreSQL {} (timeline {})", where(POSTGRES), timeline);
        }
        long from = promotedFrom(postgres().require());
        await(postgres(), c -> timeline(c) > from && promoted(c), "PostgreSQL " + where(POSTGRES)
                + " promoted to a timeline after " + from + " with a healthy primary");
    }

    private static long promotedFrom(GenericKubernetesResource pg) {
        Map<String, String> annotations = pg.getMetadata().getAnnotations();
        String v = annotations == null ? null : annotations.get(PROMOTED_FROM);
        if (v == null) {
            throw Failures.permanent("InvalidEnvironment", "PostgreSQL " + pg.getMetadata().getName()
                    + " is not a replica cluster and carries no " + PROMOTED_FROM + ": promoted by hand? "
                    + "check it, then annotate it with its timeline before the promotion");
        }
        return Long.parseLong(v.strip());
    }

    private void scale(String deployment, int replicas) {
        deployment(deployment).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"replicas\":" + replicas + "}}");
    }

    private <T> void await(Resource<T> resource, Predicate<T> condition, String what) {
        try {
            resource.waitUntilCondition(r -> r != null && condition.test(r), settings.readyTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (KubernetesClientException e) {
            // retried by the activity's policy: the rollout may still finish
            throw new IllegalStateException("not " + what + " within " + settings.readyTimeout() + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean replica(GenericKubernetesResource pg) {
        return spec(pg).path("replica").path("enabled").asBoolean(false);
    }

    private static boolean promoted(GenericKubernetesResource pg) {
        JsonNode status = JSON.valueToTree(pg.getAdditionalProperties().get("status"));
        String primary = status.path("currentPrimary").asText("");
        return !replica(pg)
                && !primary.isEmpty() && primary.equals(status.path("targetPrimary").asText())
                && HEALTHY.equals(status.path("phase").asText())
                && status.path("readyInstances").asInt(0) >= 1;
    }

    private static long timeline(GenericKubernetesResource pg) {
        return JSON.valueToTree(pg.getAdditionalProperties().get("status")).path("timelineID").asLong(0);
    }

    private static JsonNode spec(GenericKubernetesResource r) {
        return JSON.valueToTree(r.getAdditionalProperties().get("spec"));
    }

    private static boolean rolledOut(Deployment d) {
        int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        var s = d.getStatus();
        if (s == null) {
            return want == 0;
        }
        long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        long observed = s.getObservedGeneration() == null ? 0 : s.getObservedGeneration();
        return observed >= generation && value(s.getUpdatedReplicas()) >= want && value(s.getReadyReplicas()) >= want
                && value(s.getAvailableReplicas()) >= want;
    }

    private static int value(Integer i) {
        return i == null ? 0 : i;
    }

    private static Integer failoverReplicas(Deployment d) {
        Map<String, String> annotations = d.getMetadata().getAnnotations();
        String v = annotations == null ? null : annotations.get(FAILOVER_REPLICAS);
        try {
            int n = v == null ? 0 : Integer.parseInt(v.strip());
            return n >= 1 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String failoverHost(Ingress i) {
        Map<String, String> annotations = i.getMetadata().getAnnotations();
        String host = annotations == null ? null : annotations.get(FAILOVER_HOST);
        return host == null || host.isBlank() ? null : host.strip();
    }

    private void requireKnown(String name) {
        if (!settings.environment().equals(name)) {
            throw Failures.permanent("UnknownEnvironment", "no environment " + name + " on Kubernetes (known: "
                    + settings.environment() + ")");
        }
    }

    private String where(String object) {
        return settings.namespace() + "/" + object;
    }

    private Resource<GenericKubernetesResource> postgres() {
        return client.genericKubernetesResources(CNPG_CLUSTER).inNamespace(settings.namespace()).withName(POSTGRES);
    }

    private Resource<GenericKubernetesResource> scaledObject() {
        return client.genericKubernetesResources(SCALED_OBJECT).inNamespace(settings.namespace())
                .withName(WORKFLOWS_SCALED_OBJECT);
    }

    private Resource<Deployment> deployment(String name) {
        return client.apps().deployments().inNamespace(settings.namespace()).withName(name);
    }

    private Resource<Ingress> ingress() {
        return client.network().v1().ingresses().inNamespace(settings.namespace()).withName(INGRESS);
    }
}
