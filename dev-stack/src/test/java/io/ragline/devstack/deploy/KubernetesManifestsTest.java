package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.ragline.core.config.Env;
import io.ragline.devstack.deploy.Overlay.Workload;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every overlay of k8s/, rendered (Kustomize, or the built-in "base plus patches" fallback) and
 * parsed into typed fabric8 objects, checked for what issue #7 asks of a production deployment.
 */
class KubernetesManifestsTest {
    static final Set<String> ROLES = Set.of("ingest", "embedder", "search", "workflows");
    static final Set<String> TYPED_KINDS = Set.of("Namespace", "ConfigMap", "ServiceAccount", "Role", "RoleBinding",
            "ResourceQuota", "LimitRange", "NetworkPolicy", "PodDisruptionBudget", "Deployment", "StatefulSet",
            "Service", "HorizontalPodAutoscaler", "Ingress");
    static final Set<String> CUSTOM_KINDS = Set.of("ExternalSecret", "ScaledObject", "VerticalPodAutoscaler",
            "ServiceMonitor", "Probe", "PrometheusRule", "Cluster");

    static Stream<String> overlays() {
        return Overlay.NAMES.stream();
    }

    static Set<String> allowedEnv() {
        Set<String> names = new TreeSet<>();
        Arrays.stream(Env.values()).map(Enum::name).forEach(names::add);
        names.add("JAVA_TOOL_OPTIONS"); // read by the JVM itself
        return names;
    }

    // ------------------------------------------------------------------------------------- parsing

    @ParameterizedTest
    @MethodSource("overlays")
    void everyManifestParsesIntoTypedObjectsWithoutUnknownFields(String name) {
        Overlay o = Overlay.of(name);
        assertThat(o.objects()).hasSizeGreaterThan(30);
        for (HasMetadata obj : o.objects()) {
            String kind = obj.getKind();
            if (TYPED_KINDS.contains(kind)) {
                assertThat(obj).as(kind + " " + obj.getMetadata().getName()).isNotInstanceOf(GenericKubernetesResource.class);
                List<String> unknown = new ArrayList<>();
                unknownFields(obj, kind + "/" + obj.getMetadata().getName(), unknown, 0);
                assertThat(unknown).as("fields the Kubernetes schema does not know (typos?)").isEmpty();
            } else {
                assertThat(CUSTOM_KINDS).as("kind %s of %s is neither checked as typed nor as a CRD", kind,
                        obj.getMetadata().getName()).contains(kind);
                assertThat(obj).isInstanceOf(GenericKubernetesResource.class);
            }
            assertThat(obj.getMetadata().getName()).isNotBlank();
        }
    }

    /** fabric8 keeps fields it does not know in additionalProperties: there must be none. */
    private static void unknownFields(Object value, String where, List<String> unknown, int depth) {
        if (value == null || depth > 30) {
            return;
        }
        if (value instanceof Collection<?> c) {
            int i = 0;
            for (Object v : c) {
                unknownFields(v, where + "[" + i++ + "]", unknown, depth + 1);
            }
            return;
        }
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, where + "." + k, unknown, depth + 1));
            return;
        }
        if (!(value instanceof KubernetesResource) || value instanceof GenericKubernetesResource) {
            return;
        }
        for (Method method : value.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || !method.getName().startsWith("get")
                    || method.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                Object v = method.invoke(value);
                if ("getAdditionalProperties".equals(method.getName())) {
                    if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(where + ": " + extra.keySet());
                    }
                } else {
                    unknownFields(v, where + "." + method.getName().substring(3), unknown, depth + 1);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everythingLivesInTheOverlayNamespaceWhichEnforcesRestrictedPodSecurity(String name) {
        Overlay o = Overlay.of(name);
        assertThat(o.namespace()).isEqualTo("ragline-" + name);
        Namespace ns = o.find(Namespace.class, o.namespace()).orElseThrow();
        assertThat(ns.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        for (HasMetadata obj : o.objects()) {
            if (!(obj instanceof Namespace)) {
                assertThat(obj.getMetadata().getNamespace()).as(obj.getKind() + "/" + obj.getMetadata().getName())
                        .isEqualTo(o.namespace());
            }
        }
        assertThat(o.all(ConfigMap.class)).isNotEmpty();
        assertThat(o.custom("ExternalSecret").isEmpty()).as(name + ": ExternalSecrets everywhere but dev (no ESO there)")
                .isEqualTo(name.equals("dev"));
        assertThat(o.objects().stream().map(HasMetadata::getKind).toList())
                .contains("ResourceQuota", "LimitRange", "ServiceAccount", "Role", "RoleBinding", "NetworkPolicy",
                        "PodDisruptionBudget", "Service", "Ingress", "HorizontalPodAutoscaler", "ScaledObject",
                        "VerticalPodAutoscaler", "ServiceMonitor", "PrometheusRule");
    }

    // ---------------------------------------------------------------------------------- containers

    @ParameterizedTest
    @MethodSource("overlays")
    void everyContainerHasProbesResourcesAndARestrictedSecurityContext(String name) {
        Overlay o = Overlay.of(name);
        List<Workload> workloads = o.workloads().stream().filter(w -> w.spec() != null).toList();
        assertThat(workloads).hasSizeGreaterThanOrEqualTo(4);
        for (Workload w : workloads) {
            PodSpec spec = w.spec();
            PodSecurityContext pod = spec.getSecurityContext();
            List<Container> containers = new ArrayList<>(spec.getContainers());
            if (spec.getInitContainers() != null) {
                containers.addAll(spec.getInitContainers());
            }
            for (Container c : containers) {
                String where = name + " " + w.kind() + "/" + w.name() + " container " + c.getName();
                boolean init = spec.getInitContainers() != null && spec.getInitContainers().contains(c);
                if (!init) {
                    assertThat(c.getStartupProbe()).as(where + " startupProbe").isNotNull();
                    assertThat(c.getLivenessProbe()).as(where + " livenessProbe").isNotNull();
                    assertThat(c.getReadinessProbe()).as(where + " readinessProbe").isNotNull();
                    for (Probe p : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
                        if (p.getHttpGet() != null) {
                            assertThat(portExists(c, p.getHttpGet().getPort())).as(where + " probe port").isTrue();
                        } else {
                            assertThat(p.getExec() != null || p.getTcpSocket() != null || p.getGrpc() != null)
                                    .as(where + " probe handler").isTrue();
                        }
                    }
                }
                var resources = c.getResources();
                assertThat(resources).as(where + " resources").isNotNull();
                for (String r : List.of("cpu", "memory")) {
                    Quantity request = resources.getRequests() == null ? null : resources.getRequests().get(r);
                    Quantity limit = resources.getLimits() == null ? null : resources.getLimits().get(r);
                    assertThat(request).as(where + " requests." + r).isNotNull();
                    assertThat(limit).as(where + " limits." + r).isNotNull();
                    assertThat(request.getNumericalAmount()).as(where + " request <= limit for " + r)
                            .isLessThanOrEqualTo(limit.getNumericalAmount());
                }
                SecurityContext sc = c.getSecurityContext();
                assertThat(sc).as(where + " securityContext").isNotNull();
                Boolean nonRoot = sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : pod == null ? null : pod.getRunAsNonRoot();
                assertThat(nonRoot).as(where + " runAsNonRoot").isTrue();
                Long uid = sc.getRunAsUser() != null ? sc.getRunAsUser() : pod == null ? null : pod.getRunAsUser();
                assertThat(uid).as(where + " runAsUser").isNotNull().isNotZero();
                assertThat(sc.getReadOnlyRootFilesystem()).as(where + " readOnlyRootFilesystem").isTrue();
                assertThat(sc.getAllowPrivilegeEscalation()).as(where + " allowPrivilegeEscalation").isFalse();
                assertThat(sc.getPrivileged()).as(where + " privileged").isNotEqualTo(Boolean.TRUE);
                assertThat(sc.getCapabilities()).as(where + " capabilities").isNotNull();
                assertThat(sc.getCapabilities().getDrop()).as(where + " capabilities.drop").contains("ALL");
                assertThat(sc.getCapabilities().getAdd()).as(where + " capabilities.add").isNullOrEmpty();
                String seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile().getType()
                        : pod != null && pod.getSeccompProfile() != null ? pod.getSeccompProfile().getType() : null;
                assertThat(seccomp).as(where + " seccompProfile").isEqualTo("RuntimeDefault");
                assertThat(c.getImage()).as(where + " image pinned to a tag").matches(".+[:@].+").doesNotEndWith(":latest");
                Set<String> volumes = new HashSet<>();
                if (spec.getVolumes() != null) {
                    spec.getVolumes().stream().map(Volume::getName).forEach(volumes::add);
                }
                o.find(StatefulSet.class, w.name()).filter(s -> w.kind().equals("StatefulSet"))
                        .map(s -> s.getSpec().getVolumeClaimTemplates()).ifPresent(t -> t.forEach(v -> volumes.add(v.getMetadata().getName())));
                for (VolumeMount m : c.getVolumeMounts()) {
                    assertThat(volumes).as(where + " mounts " + m.getName()).contains(m.getName());
                }
            }
            assertThat(spec.getTopologySpreadConstraints()).as(name + " " + w.name() + " topologySpreadConstraints").isNotEmpty();
            for (TopologySpreadConstraint t : spec.getTopologySpreadConstraints()) {
                assertThat(Overlay.matches(t.getLabelSelector(), w.podLabels()))
                        .as(name + " " + w.name() + " spreads its own pods").isTrue();
            }
        }
    }

    private static boolean portExists(Container c, IntOrString port) {
        if (port.getIntVal() != null) {
            return c.getPorts().stream().anyMatch(p -> p.getContainerPort().equals(port.getIntVal()));
        }
        return c.getPorts().stream().map(ContainerPort::getName).anyMatch(port.getStrVal()::equals);
    }

    /** ragline containers run the one image with "serve <role>"; every role exists in every overlay. */
    static List<Container> raglineContainers(Overlay o) {
        List<Container> out = new ArrayList<>();
        for (Workload w : o.workloads()) {
            if (w.spec() != null) {
                w.spec().getContainers().stream().filter(c -> c.getArgs() != null && !c.getArgs().isEmpty()
                        && "serve".equals(c.getArgs().getFirst())).forEach(out::add);
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void raglineContainersSetOnlyEnvironmentVariablesTheCodeReads(String name) {
        Overlay o = Overlay.of(name);
        List<Container> containers = raglineContainers(o);
        assertThat(containers.stream().map(c -> c.getArgs().get(1)).toList())
                .containsExactlyInAnyOrderElementsOf(ROLES);
        Set<String> allowed = allowedEnv();
        Map<String, Set<String>> secretKeys = secretKeys(o);
        for (Container c : containers) {
            String where = name + " container " + c.getName();
            assertThat(c.getImage()).as(where).matches("(.*/)?ragline[:@].+");
            Set<String> names = new LinkedHashSet<>();
            for (EnvVar e : c.getEnv()) {
                names.add(e.getName());
                if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                    var ref = e.getValueFrom().getSecretKeyRef();
                    assertThat(secretKeys).as(where + ": Secret " + ref.getName() + " comes from an ExternalSecret (dev: the README)")
                            .containsKey(ref.getName());
                    assertThat(secretKeys.get(ref.getName())).as(where + " secret key").contains(ref.getKey());
                }
                if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                    var ref = e.getValueFrom().getConfigMapKeyRef();
                    assertThat(o.find(ConfigMap.class, ref.getName()).orElseThrow().getData()).containsKey(ref.getKey());
                }
            }
            for (EnvFromSource from : c.getEnvFrom()) {
                if (from.getConfigMapRef() != null) {
                    ConfigMap cm = o.find(ConfigMap.class, from.getConfigMapRef().getName())
                            .orElseThrow(() -> new AssertionError(where + ": ConfigMap " + from.getConfigMapRef().getName() + " missing"));
                    names.addAll(cm.getData().keySet());
                }
                if (from.getSecretRef() != null) {
                    names.addAll(secretKeys.getOrDefault(from.getSecretRef().getName(), Set.of()));
                }
            }
            assertThat(names).as(where + ": variables outside core/.../config/Env.java").isSubsetOf(allowed);
            assertThat(names).as(where).contains("RAGLINE_KAFKA_BOOTSTRAP", "RAGLINE_HTTP_PORT", "RAGLINE_HOST", "RAGLINE_DATA_DIR",
                    "RAGLINE_LOG_FORMAT");
            assertThat(c.getEnv()).as(where + ": the log format comes from ragline-config")
                    .noneMatch(e -> e.getName().equals("RAGLINE_LOG_FORMAT"));
        }
        ConfigMap config = o.find(ConfigMap.class, "ragline-config").orElseThrow();
        assertThat(config.getData().keySet()).isSubsetOf(allowed);
        assertThat(config.getData()).containsEntry("RAGLINE_HOST", "0.0.0.0");
        assertThat(config.getData()).as("JSON log lines for the log collector").containsEntry("RAGLINE_LOG_FORMAT", "json");
        assertThat(config.getData().get("RAGLINE_JDBC_URL")).startsWith("jdbc:postgresql://");
        assertThat(config.getData().values()).as("no secret values in the ConfigMap")
                .noneMatch(v -> v.toLowerCase().contains("password"));
    }

    /** Secret name -> keys: what External Secrets Operator makes, or, where no ExternalSecret renders, the README's commands. */
    static Map<String, Set<String>> secretKeys(Overlay o) {
        return o.custom("ExternalSecret").isEmpty() ? readmeSecrets(o.namespace()) : externalSecretKeys(o);
    }

    /** The Secrets the README's {@code kubectl -n <namespace> create secret generic} commands make: name -> keys. */
    static Map<String, Set<String>> readmeSecrets(String namespace) {
        Map<String, Set<String>> secrets = new java.util.TreeMap<>();
        var command = java.util.regex.Pattern.compile("kubectl -n (\\S+) create secret generic (\\S+)((?:\\s+--from-literal=\\w+=\\S+)+)")
                .matcher(Repo.read(Repo.path("README.md")));
        while (command.find()) {
            if (command.group(1).equals(namespace)) {
                var literal = java.util.regex.Pattern.compile("--from-literal=(\\w+)=").matcher(command.group(3));
                Set<String> keys = secrets.computeIfAbsent(command.group(2), k -> new TreeSet<>());
                while (literal.find()) {
                    keys.add(literal.group(1));
                }
            }
        }
        return secrets;
    }

    /** Secret name -> keys that the pod specs of an overlay read (env, envFrom, volumes). */
    static Map<String, Set<String>> referencedSecrets(Overlay o) {
        Map<String, Set<String>> refs = new java.util.TreeMap<>();
        for (Workload w : o.workloads()) {
            if (w.spec() == null) {
                continue;
            }
            List<Container> containers = new ArrayList<>(w.spec().getContainers());
            if (w.spec().getInitContainers() != null) {
                containers.addAll(w.spec().getInitContainers());
            }
            for (Container c : containers) {
                for (EnvVar e : c.getEnv()) {
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        var ref = e.getValueFrom().getSecretKeyRef();
                        refs.computeIfAbsent(ref.getName(), k -> new TreeSet<>()).add(ref.getKey());
                    }
                }
                for (EnvFromSource from : c.getEnvFrom()) {
                    if (from.getSecretRef() != null) {
                        refs.computeIfAbsent(from.getSecretRef().getName(), k -> new TreeSet<>());
                    }
                }
            }
            if (w.spec().getVolumes() != null) {
                for (Volume v : w.spec().getVolumes()) {
                    if (v.getSecret() != null) {
                        refs.computeIfAbsent(v.getSecret().getSecretName(), k -> new TreeSet<>());
                    }
                }
            }
        }
        return refs;
    }

    /** The README says ESO can be skipped on a laptop: dev renders no ExternalSecret, and the README makes every Secret dev reads. */
    @org.junit.jupiter.api.Test
    void devNeedsNoExternalSecretsOperatorOnlyTheSecretsTheReadmeCreates() {
        Overlay dev = Overlay.of("dev");
        assertThat(dev.custom("ExternalSecret")).as("dev renders no ExternalSecret").isEmpty();
        Map<String, Set<String>> made = readmeSecrets(dev.namespace());
        Map<String, Set<String>> read = referencedSecrets(dev);
        assertThat(read).as("dev workloads read Secrets").isNotEmpty();
        read.forEach((secret, keys) -> {
            assertThat(made).as("README creates Secret " + secret + " in " + dev.namespace()).containsKey(secret);
            assertThat(made.get(secret)).as("README's Secret " + secret + " has the keys dev reads").containsAll(keys);
        });
        assertThat(made.keySet()).as("README creates no Secret dev does not read").isEqualTo(read.keySet());
        // elsewhere ESO makes exactly what the workloads read
        for (String name : List.of("staging", "prod", "dr")) {
            Map<String, Set<String>> external = externalSecretKeys(Overlay.of(name));
            referencedSecrets(Overlay.of(name)).forEach((secret, keys) -> {
                assertThat(external).as(name + ": an ExternalSecret makes " + secret).containsKey(secret);
                assertThat(external.get(secret)).as(name + " " + secret).containsAll(keys);
            });
        }
    }

    /** The workflow workers back up to the platform's S3: target and endpoint from ragline-config, keys from a Secret. */
    @ParameterizedTest
    @MethodSource("overlays")
    void workflowWorkersBackUpToS3WithKeysFromASecret(String name) {
        Overlay o = Overlay.of(name);
        Map<String, String> config = o.find(ConfigMap.class, "ragline-config").orElseThrow().getData();
        Container workflows = raglineContainers(o).stream().filter(c -> c.getArgs().get(1).equals("workflows")).findFirst().orElseThrow();
        assertThat(workflows.getEnvFrom()).anyMatch(f -> f.getConfigMapRef() != null && f.getConfigMapRef().getName().equals("ragline-config"));
        assertThat(config.get(Env.RAGLINE_BACKUP_TARGET.name())).as(name + " backup target").startsWith("s3://ragline-backups/");
        assertThat(config).containsKeys(Env.RAGLINE_S3_ENDPOINT.name(), Env.RAGLINE_S3_PATH_STYLE.name());
        Map<String, Set<String>> secrets = secretKeys(o);
        for (Env key : List.of(Env.RAGLINE_S3_ACCESS_KEY, Env.RAGLINE_S3_SECRET_KEY)) {
            assertThat(config).as("no S3 key in the ConfigMap").doesNotContainKey(key.name());
            EnvVar e = workflows.getEnv().stream().filter(v -> v.getName().equals(key.name())).findFirst()
                    .orElseThrow(() -> new AssertionError(name + ": workflows sets " + key));
            var ref = e.getValueFrom().getSecretKeyRef();
            assertThat(ref).as(name + " " + key + " from a Secret").isNotNull();
            assertThat(secrets.getOrDefault(ref.getName(), Set.of())).as(name + " Secret " + ref.getName()).contains(ref.getKey());
        }
    }

    /** Secret name -> keys, for the Secrets External Secrets Operator makes. */
    static Map<String, Set<String>> externalSecretKeys(Overlay o) {
        Map<String, Set<String>> keys = new java.util.HashMap<>();
        for (GenericKubernetesResource es : o.custom("ExternalSecret")) {
            JsonNode spec = Repo.JSON.valueToTree(es.getAdditionalProperties().get("spec"));
            String target = spec.path("target").path("name").asText(es.getMetadata().getName());
            Set<String> k = keys.computeIfAbsent(target, t -> new HashSet<>());
            spec.path("data").forEach(d -> k.add(d.path("secretKey").asText()));
            spec.path("target").path("template").path("data").fieldNames().forEachRemaining(k::add);
            assertThat(spec.path("secretStoreRef").path("name").asText()).isNotBlank();
            spec.path("data").forEach(d -> assertThat(d.path("remoteRef").path("key").asText())
                    .as("remote key names the environment").doesNotContain("ENVIRONMENT"));
        }
        return keys;
    }

    // ------------------------------------------------------------------------ selectors and targets

    @ParameterizedTest
    @MethodSource("overlays")
    void everyServiceSelectsAWorkloadAndItsTargetPorts(String name) {
        Overlay o = Overlay.of(name);
        for (Service s : o.all(Service.class)) {
            List<Workload> selected = o.workloads().stream()
                    .filter(w -> Overlay.matches(s.getSpec().getSelector(), w.podLabels())).toList();
            assertThat(selected).as(name + " Service " + s.getMetadata().getName() + " selects a workload").isNotEmpty();
            for (ServicePort port : s.getSpec().getPorts()) {
                for (Workload w : selected) {
                    if (w.spec() != null) {
                        assertThat(w.spec().getContainers().stream().anyMatch(c -> portExists(c, port.getTargetPort())))
                                .as(name + " Service " + s.getMetadata().getName() + " targetPort " + port.getTargetPort()).isTrue();
                    }
                }
            }
        }
        for (StatefulSet s : o.all(StatefulSet.class)) {
            Service governing = o.find(Service.class, s.getSpec().getServiceName()).orElseThrow(
                    () -> new AssertionError(name + " StatefulSet " + s.getMetadata().getName() + " has no governing Service"));
            assertThat(Overlay.matches(governing.getSpec().getSelector(), s.getSpec().getTemplate().getMetadata().getLabels())).isTrue();
        }
        for (Ingress ing : o.all(Ingress.class)) {
            assertThat(ing.getSpec().getTls()).as("TLS").isNotEmpty();
            assertThat(ing.getMetadata().getAnnotations()).containsKey("cert-manager.io/cluster-issuer")
                    .containsKey("nginx.ingress.kubernetes.io/limit-rps");
            Set<String> tlsHosts = new HashSet<>();
            ing.getSpec().getTls().forEach(t -> tlsHosts.addAll(t.getHosts()));
            for (var rule : ing.getSpec().getRules()) {
                assertThat(tlsHosts).as("every host is served over TLS").contains(rule.getHost());
                for (var path : rule.getHttp().getPaths()) {
                    IngressBackend b = path.getBackend();
                    Service s = o.find(Service.class, b.getService().getName()).orElseThrow();
                    assertThat(s.getSpec().getPorts()).anyMatch(p -> Objects.equals(p.getName(), b.getService().getPort().getName())
                            || Objects.equals(p.getPort(), b.getService().getPort().getNumber()));
                }
            }
        }
    }

    /** nginx sizes: a number of bytes, or k/m/g (1024-based, either case); 0 would mean no limit. */
    static long nginxSize(String value) {
        var m = java.util.regex.Pattern.compile("(\\d+)([kKmMgG]?)").matcher(value.strip());
        assertThat(m.matches()).as("nginx size " + value).isTrue();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
    }

    @org.junit.jupiter.api.Test
    void nginxSizesParse() {
        assertThat(nginxSize("64k")).isEqualTo(65_536);
        assertThat(nginxSize("16m")).isEqualTo(16_777_216);
        assertThat(nginxSize("1G")).isEqualTo(1L << 30);
        assertThat(nginxSize("1000")).isEqualTo(1000);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theIngressLetsThroughTheLargestBodyTheApiAccepts(String name) {
        long api = io.ragline.search.api.SearchApi.maxIngestBodyBytes(io.ragline.core.validation.DocumentLimits.defaults());
        assertThat(api).as("POST /v1/documents body limit").isGreaterThan(1 << 20);
        for (Ingress ing : Overlay.of(name).all(Ingress.class)) {
            String annotation = ing.getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/proxy-body-size");
            assertThat(annotation).as(name + " Ingress " + ing.getMetadata().getName() + " proxy-body-size").isNotNull();
            long cap = nginxSize(annotation);
            assertThat(cap).as(name + ": proxy-body-size " + annotation + " covers the API's " + api + " bytes").isGreaterThanOrEqualTo(api);
            assertThat(cap).as(name + ": proxy-body-size " + annotation + " stays a cap (not 0, not far above the API's)")
                    .isPositive().isLessThan(2 * api);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyPdbAndNetworkPolicySelectsExistingPods(String name) {
        Overlay o = Overlay.of(name);
        for (PodDisruptionBudget pdb : o.all(PodDisruptionBudget.class)) {
            assertThat(o.selected(pdb.getSpec().getSelector())).as(name + " PDB " + pdb.getMetadata().getName()).isNotEmpty();
        }
        Set<String> podsWithPdb = new HashSet<>();
        o.all(PodDisruptionBudget.class).forEach(p -> o.selected(p.getSpec().getSelector()).forEach(w -> podsWithPdb.add(w.name())));
        assertThat(podsWithPdb).contains("ragline-ingest", "ragline-embedder", "ragline-search", "ragline-workflows");

        List<NetworkPolicy> policies = o.all(NetworkPolicy.class);
        assertThat(policies).anySatisfy(p -> {
            assertThat(p.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
            assertThat(p.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
            assertThat(p.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
            assertThat(p.getSpec().getIngress()).isNullOrEmpty();
            assertThat(p.getSpec().getEgress()).isNullOrEmpty();
        });
        for (NetworkPolicy p : policies) {
            String where = name + " NetworkPolicy " + p.getMetadata().getName();
            assertThat(o.selected(p.getSpec().getPodSelector())).as(where + " podSelector").isNotEmpty();
            List<NetworkPolicyPeer> peers = new ArrayList<>();
            p.getSpec().getIngress().forEach(r -> peers.addAll(r.getFrom()));
            p.getSpec().getEgress().forEach(r -> peers.addAll(r.getTo()));
            for (NetworkPolicyPeer peer : peers) {
                if (peer.getPodSelector() != null && peer.getNamespaceSelector() == null) {
                    assertThat(o.selected(peer.getPodSelector())).as(where + " peer " + peer.getPodSelector()).isNotEmpty();
                }
                assertThat(peer.getIpBlock()).as(where + ": no CIDR allows").isNull();
            }
        }
        // the search API is reachable from the ingress controller, metrics from Prometheus
        assertThat(policies).anySatisfy(p -> assertThat(Repo.JSON.valueToTree(p).toString()).contains("ingress-nginx"));
        assertThat(policies).anySatisfy(p -> assertThat(Repo.JSON.valueToTree(p).toString()).contains("\"monitoring\""));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void autoscalersTargetExistingWorkloadsAndNeverTheSameOne(String name) {
        Overlay o = Overlay.of(name);
        Set<String> scaled = new HashSet<>();
        for (HorizontalPodAutoscaler hpa : o.all(HorizontalPodAutoscaler.class)) {
            var ref = hpa.getSpec().getScaleTargetRef();
            assertThat(o.workload(ref.getKind(), ref.getName())).as(name + " HPA " + hpa.getMetadata().getName()).isPresent();
            assertThat(scaled.add(ref.getKind() + "/" + ref.getName())).isTrue();
            assertThat(hpa.getSpec().getMinReplicas()).isPositive().isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
        }
        assertThat(scaled).as("HPA for search").contains("StatefulSet/ragline-search");
        for (GenericKubernetesResource so : o.custom("ScaledObject")) {
            JsonNode spec = Repo.JSON.valueToTree(so.getAdditionalProperties().get("spec"));
            String kind = spec.path("scaleTargetRef").path("kind").asText("Deployment");
            String target = spec.path("scaleTargetRef").path("name").asText();
            assertThat(o.workload(kind, target)).as(name + " ScaledObject " + so.getMetadata().getName()).isPresent();
            assertThat(scaled.add(kind + "/" + target)).as(kind + "/" + target + " has one autoscaler only").isTrue();
            assertThat(spec.path("minReplicaCount").asInt()).isLessThanOrEqualTo(spec.path("maxReplicaCount").asInt());
            assertThat(o.workload(kind, target).orElseThrow().spec()).isNotNull();
        }
        for (GenericKubernetesResource vpa : o.custom("VerticalPodAutoscaler")) {
            JsonNode spec = Repo.JSON.valueToTree(vpa.getAdditionalProperties().get("spec"));
            assertThat(o.workload(spec.path("targetRef").path("kind").asText(), spec.path("targetRef").path("name").asText()))
                    .as(name + " VPA " + vpa.getMetadata().getName()).isPresent();
            assertThat(spec.path("updatePolicy").path("updateMode").asText()).as("recommendation mode").isEqualTo("Off");
        }
        assertThat(o.custom("VerticalPodAutoscaler")).hasSize(4);
        // scaled workloads leave replicas to their autoscaler, unless it is paused at a count they then state too
        Map<String, Integer> paused = pausedScaledObjects(o);
        for (String s : scaled) {
            String[] kn = s.split("/");
            Integer replicas = kn[0].equals("StatefulSet")
                    ? o.find(StatefulSet.class, kn[1]).orElseThrow().getSpec().getReplicas()
                    : o.find(io.fabric8.kubernetes.api.model.apps.Deployment.class, kn[1]).orElseThrow().getSpec().getReplicas();
            if (paused.containsKey(s)) {
                assertThat(replicas).as(name + " " + s + ": replicas = the paused ScaledObject's count").isEqualTo(paused.get(s));
            } else {
                assertThat(replicas).as(name + " " + s + " sets no spec.replicas (its autoscaler owns it)").isNull();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void kedaScalesEmbeddersOnKafkaLagAndTheMetricsApiAndWorkflowsOnTemporalQueues(String name) {
        Overlay o = Overlay.of(name);
        Map<String, String> config = o.find(ConfigMap.class, "ragline-config").orElseThrow().getData();
        JsonNode embedder = spec(o, "ragline-embedder");
        JsonNode kafka = trigger(embedder, "kafka").orElseThrow();
        assertThat(kafka.path("metadata").path("consumerGroup").asText()).isEqualTo("ragline-embedding-workers");
        assertThat(kafka.path("metadata").path("topic").asText()).isEqualTo("ragline.chunks");
        assertThat(kafka.path("metadata").path("bootstrapServers").asText()).isEqualTo(config.get("RAGLINE_KAFKA_BOOTSTRAP"));
        assertThat(kafka.path("metadata").path("lagThreshold").asInt()).isPositive();
        Optional<JsonNode> api = trigger(embedder, "metrics-api");
        if (name.equals("dr")) {
            assertThat(api).as("dr scales embedders from zero: no worker serves /keda/metrics then").isEmpty();
            assertThat(embedder.path("minReplicaCount").asInt()).isZero();
        } else {
            JsonNode m = api.orElseThrow().path("metadata");
            assertThat(m.path("valueLocation").asText()).isEqualTo("lagPerReplica");
            assertThat(m.path("format").asText()).isEqualTo("json");
            assertThat(api.get().path("metricType").asText()).as("lagPerReplica is already per replica").isEqualTo("Value");
            var url = java.net.URI.create(m.path("url").asText());
            assertThat(url.getPath()).isEqualTo("/keda/metrics");
            String[] host = url.getHost().split("\\.");
            assertThat(host[1]).as("KEDA runs in its own namespace: the URL names ours").isEqualTo(o.namespace());
            Service svc = o.find(Service.class, host[0]).orElseThrow();
            assertThat(svc.getSpec().getPorts()).anyMatch(p -> p.getPort() == url.getPort());
            assertThat(Overlay.matches(svc.getSpec().getSelector(), o.workload("Deployment", "ragline-embedder").orElseThrow().podLabels())).isTrue();
        }
        JsonNode workflows = spec(o, "ragline-workflows");
        Set<String> queues = new TreeSet<>();
        for (JsonNode t : workflows.path("triggers")) {
            assertThat(t.path("type").asText()).isEqualTo("temporal");
            assertThat(t.path("metadata").path("endpoint").asText()).isEqualTo(config.get("RAGLINE_TEMPORAL_TARGET"));
            assertThat(t.path("metadata").path("namespace").asText()).isEqualTo(config.get("RAGLINE_TEMPORAL_NAMESPACE"));
            queues.add(t.path("metadata").path("taskQueue").asText());
        }
        // ragline-ops is not a load signal: ops run one at a time, and a backlog there means no pod serves it
        assertThat(queues).containsExactly("ragline-documents");
        assertThat(workflows.path("minReplicaCount").asInt()).as("the lifecycle starter runs wherever workflows run").isPositive();
        for (JsonNode t : workflows.path("triggers")) {
            JsonNode m = t.path("metadata");
            assertThat(m.path("targetQueueSize").asInt()).as("targetQueueSize").isPositive();
            assertThat(m.path("activationTargetQueueSize").asInt(0)).as("activation below the target")
                    .isLessThan(m.path("targetQueueSize").asInt());
            assertThat(t.has("metricType") ? t.path("metricType").asText() : "AverageValue")
                    .as("a backlog is shared by the replicas: AverageValue").isEqualTo("AverageValue");
        }
    }

    /** "Kind/name" of each ScaledObject's target -> its autoscaling.keda.sh/paused-replicas count. */
    static Map<String, Integer> pausedScaledObjects(Overlay o) {
        Map<String, Integer> paused = new java.util.HashMap<>();
        for (GenericKubernetesResource so : o.custom("ScaledObject")) {
            Map<String, String> annotations = so.getMetadata().getAnnotations();
            String count = annotations == null ? null : annotations.get("autoscaling.keda.sh/paused-replicas");
            if (count != null) {
                JsonNode spec = Repo.JSON.valueToTree(so.getAdditionalProperties().get("spec"));
                paused.put(spec.path("scaleTargetRef").path("kind").asText("Deployment") + "/"
                        + spec.path("scaleTargetRef").path("name").asText(), Integer.parseInt(count));
            }
        }
        return paused;
    }

    /** A warm standby must not run lifecycle/ops workers against its replica database, nor let KEDA start them. */
    @ParameterizedTest
    @MethodSource("overlays")
    void theWarmStandbyRunsNoWorkflowWorkersAndKedaCannotStartThem(String name) {
        Overlay o = Overlay.of(name);
        var workflows = o.find(io.fabric8.kubernetes.api.model.apps.Deployment.class, "ragline-workflows").orElseThrow();
        Map<String, Integer> paused = pausedScaledObjects(o);
        if (name.equals("dr")) {
            assertThat(workflows.getSpec().getReplicas()).as("dr: workflows stopped until failover").isZero();
            assertThat(paused).as("dr: KEDA paused at zero for workflows").containsEntry("Deployment/ragline-workflows", 0);
            JsonNode cluster = Repo.JSON.valueToTree(o.custom("Cluster").getFirst().getAdditionalProperties().get("spec"));
            assertThat(cluster.path("replica").path("enabled").asBoolean()).as("dr's database is a replica").isTrue();
        } else {
            assertThat(paused).as(name + ": no autoscaler paused").isEmpty();
        }
    }

    private static JsonNode spec(Overlay o, String scaledObject) {
        GenericKubernetesResource so = o.custom("ScaledObject").stream()
                .filter(s -> s.getMetadata().getName().equals(scaledObject)).findFirst().orElseThrow();
        return Repo.JSON.valueToTree(so.getAdditionalProperties().get("spec"));
    }

    private static Optional<JsonNode> trigger(JsonNode spec, String type) {
        for (JsonNode t : spec.path("triggers")) {
            if (type.equals(t.path("type").asText())) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void serviceMonitorsAndProbesFindTheirTargets(String name) {
        Overlay o = Overlay.of(name);
        List<GenericKubernetesResource> monitors = o.custom("ServiceMonitor");
        assertThat(monitors).isNotEmpty();
        Set<String> scraped = new HashSet<>();
        for (GenericKubernetesResource sm : monitors) {
            JsonNode spec = Repo.JSON.valueToTree(sm.getAdditionalProperties().get("spec"));
            Map<String, String> selector = Repo.JSON.convertValue(spec.path("selector").path("matchLabels"),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() { });
            List<Service> services = o.all(Service.class).stream()
                    .filter(s -> Overlay.matches(selector, s.getMetadata().getLabels())).toList();
            assertThat(services).as(name + " ServiceMonitor " + sm.getMetadata().getName()).isNotEmpty();
            for (JsonNode endpoint : spec.path("endpoints")) {
                for (Service s : services) {
                    assertThat(s.getSpec().getPorts()).anyMatch(p -> endpoint.path("port").asText().equals(p.getName()));
                    scraped.add(s.getMetadata().getName());
                }
                assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
            }
        }
        assertThat(scraped).containsExactlyInAnyOrder("ragline-ingest", "ragline-embedder", "ragline-search", "ragline-workflows");
        Set<String> dependencies = new TreeSet<>();
        for (GenericKubernetesResource probe : o.custom("Probe")) {
            JsonNode spec = Repo.JSON.valueToTree(probe.getAdditionalProperties().get("spec"));
            dependencies.add(spec.path("targets").path("staticConfig").path("labels").path("dependency").asText());
            if ("postgres".equals(spec.path("targets").path("staticConfig").path("labels").path("dependency").asText())) {
                String target = spec.path("targets").path("staticConfig").path("static").get(0).asText();
                String host = target.substring(0, target.indexOf(':'));
                assertThat(host.split("\\.")[1]).as("postgres probe target in our namespace").isEqualTo(o.namespace());
                String serviceName = host.split("\\.")[0];
                boolean local = o.find(Service.class, serviceName).isPresent()
                        || o.custom("Cluster").stream().anyMatch(c -> serviceName.equals(c.getMetadata().getName() + "-rw"));
                assertThat(local).as(name + ": postgres probe target " + serviceName + " exists").isTrue();
                String jdbc = o.find(ConfigMap.class, "ragline-config").orElseThrow().getData().get("RAGLINE_JDBC_URL");
                assertThat(jdbc).as("ragline uses the database the probe watches").contains("//" + serviceName + ":");
            }
        }
        assertThat(dependencies).containsExactly("kafka", "milvus", "postgres", "temporal");
        assertThat(o.custom("PrometheusRule")).hasSize(1);
        assertThat(o.find(ConfigMap.class, "ragline-grafana-dashboards").orElseThrow().getMetadata().getLabels())
                .containsEntry("grafana_dashboard", "1");
    }

    // ------------------------------------------------------------------------------------- quotas

    /** The most pods a workload can run: its autoscaler's maximum (or paused count), else its replicas. */
    static int maxReplicas(Overlay o, String kind, String name, Integer replicas) {
        Integer paused = pausedScaledObjects(o).get(kind + "/" + name);
        if (paused != null) {
            return Math.max(paused, replicas == null ? 0 : replicas);
        }
        for (HorizontalPodAutoscaler hpa : o.all(HorizontalPodAutoscaler.class)) {
            var ref = hpa.getSpec().getScaleTargetRef();
            if (ref.getKind().equals(kind) && ref.getName().equals(name)) {
                return hpa.getSpec().getMaxReplicas();
            }
        }
        for (GenericKubernetesResource so : o.custom("ScaledObject")) {
            JsonNode spec = Repo.JSON.valueToTree(so.getAdditionalProperties().get("spec"));
            if (spec.path("scaleTargetRef").path("kind").asText("Deployment").equals(kind)
                    && spec.path("scaleTargetRef").path("name").asText().equals(name)) {
                return spec.path("maxReplicaCount").asInt(100); // KEDA's default maximum
            }
        }
        return replicas == null ? 1 : replicas;
    }

    /** What one pod counts against a quota: containers summed, or the largest init container if larger. */
    static java.math.BigDecimal podAmount(PodSpec spec, String kind, String resource) {
        java.util.function.Function<Container, java.math.BigDecimal> of = c -> {
            Map<String, Quantity> m = c.getResources() == null ? null
                    : kind.equals("requests") ? c.getResources().getRequests() : c.getResources().getLimits();
            Quantity q = m == null ? null : m.get(resource);
            assertThat(q).as("container " + c.getName() + " " + kind + "." + resource).isNotNull();
            return q.getNumericalAmount();
        };
        java.math.BigDecimal sum = spec.getContainers().stream().map(of).reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add);
        java.math.BigDecimal init = spec.getInitContainers() == null ? java.math.BigDecimal.ZERO
                : spec.getInitContainers().stream().map(of).reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::max);
        return sum.max(init);
    }

    /** Extra pods a Deployment's rolling update starts (maxSurge: a count or a percentage, rounded up). */
    static int surge(io.fabric8.kubernetes.api.model.apps.Deployment d, int replicas) {
        var strategy = d.getSpec().getStrategy();
        if (replicas == 0 || (strategy != null && "Recreate".equals(strategy.getType()))) {
            return 0;
        }
        IntOrString max = strategy == null || strategy.getRollingUpdate() == null || strategy.getRollingUpdate().getMaxSurge() == null
                ? new IntOrString("25%") : strategy.getRollingUpdate().getMaxSurge();
        if (max.getIntVal() != null) {
            return max.getIntVal();
        }
        int percent = Integer.parseInt(max.getStrVal().replace("%", ""));
        return (replicas * percent + 99) / 100;
    }

    /**
     * What an overlay can ask of its namespace at the same time: every workload at its maximum
     * (HPA/ScaledObject maxima, fixed replicas, CloudNativePG instances), Deployments mid-rollout with
     * their surge, and the volumes of StatefulSets and database instances.
     */
    static Map<String, java.math.BigDecimal> peakUsage(Overlay o) {
        Map<String, java.math.BigDecimal> need = new java.util.TreeMap<>();
        java.util.function.BiConsumer<String, java.math.BigDecimal> add = (k, v) -> need.merge(k, v, java.math.BigDecimal::add);
        java.util.function.BiConsumer<PodSpec, Integer> pods = (spec, n) -> {
            java.math.BigDecimal count = java.math.BigDecimal.valueOf(n);
            add.accept("pods", count);
            for (String kind : List.of("requests", "limits")) {
                for (String r : List.of("cpu", "memory")) {
                    add.accept(kind + "." + r, podAmount(spec, kind, r).multiply(count));
                }
            }
        };
        for (var d : o.all(io.fabric8.kubernetes.api.model.apps.Deployment.class)) {
            int max = maxReplicas(o, "Deployment", d.getMetadata().getName(), d.getSpec().getReplicas());
            pods.accept(d.getSpec().getTemplate().getSpec(), max + surge(d, max));
        }
        for (StatefulSet s : o.all(StatefulSet.class)) {
            int max = maxReplicas(o, "StatefulSet", s.getMetadata().getName(), s.getSpec().getReplicas());
            pods.accept(s.getSpec().getTemplate().getSpec(), max);
            for (var pvc : s.getSpec().getVolumeClaimTemplates()) {
                add.accept("persistentvolumeclaims", java.math.BigDecimal.valueOf(max));
                add.accept("requests.storage", pvc.getSpec().getResources().getRequests().get("storage").getNumericalAmount()
                        .multiply(java.math.BigDecimal.valueOf(max)));
            }
        }
        for (GenericKubernetesResource c : o.custom("Cluster")) {
            JsonNode spec = Repo.JSON.valueToTree(c.getAdditionalProperties().get("spec"));
            java.math.BigDecimal instances = java.math.BigDecimal.valueOf(spec.path("instances").asInt(1));
            add.accept("pods", instances);
            for (String kind : List.of("requests", "limits")) {
                for (String r : List.of("cpu", "memory")) {
                    String q = spec.path("resources").path(kind).path(r).asText(null);
                    assertThat(q).as(o.name() + " Cluster " + c.getMetadata().getName() + " resources." + kind + "." + r).isNotNull();
                    add.accept(kind + "." + r, new Quantity(q).getNumericalAmount().multiply(instances));
                }
            }
            for (String storage : List.of("storage", "walStorage")) {
                String size = spec.path(storage).path("size").asText(null);
                if (size != null) {
                    add.accept("persistentvolumeclaims", instances);
                    add.accept("requests.storage", new Quantity(size).getNumericalAmount().multiply(instances));
                }
            }
        }
        return need;
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theResourceQuotaHoldsEveryWorkloadAtItsMaximum(String name) {
        Overlay o = Overlay.of(name);
        var quotas = o.all(io.fabric8.kubernetes.api.model.ResourceQuota.class);
        assertThat(quotas).hasSize(1);
        Map<String, Quantity> hard = quotas.getFirst().getSpec().getHard();
        Map<String, java.math.BigDecimal> need = peakUsage(o);
        assertThat(need.get("pods")).as(name + " runs pods").isPositive();
        assertThat(hard).as(name + ": the quota bounds what it must").containsKeys("requests.cpu", "requests.memory",
                "limits.cpu", "limits.memory", "pods", "requests.storage", "persistentvolumeclaims");
        List<String> short_ = new ArrayList<>();
        need.forEach((resource, amount) -> {
            Quantity limit = hard.get(resource);
            if (limit != null && limit.getNumericalAmount().compareTo(amount) < 0) {
                short_.add(resource + ": quota " + limit + " < " + amount.stripTrailingZeros().toPlainString() + " needed");
            }
        });
        assertThat(short_).as(name + ": ResourceQuota below what its workloads reach at their maxima " + need).isEmpty();
    }

    // ------------------------------------------------------------------------------------------ RBAC

    @ParameterizedTest
    @MethodSource("overlays")
    void rbacIsLeastPrivilegeAndOnlyTheWorkflowWorkersHoldAToken(String name) {
        Overlay o = Overlay.of(name);
        assertThat(o.all(ClusterRole.class)).isEmpty();
        assertThat(o.all(ClusterRoleBinding.class)).isEmpty();
        Set<String> writeVerbs = Set.of("create", "update", "patch", "delete", "deletecollection");
        // the deploy workflow's canary and green copies of the shipped Deployments
        Set<String> copies = new HashSet<>();
        o.all(io.fabric8.kubernetes.api.model.apps.Deployment.class).stream().map(d -> d.getMetadata().getName())
                .filter(n -> n.startsWith("ragline-") && !n.equals("ragline-postgres"))
                .forEach(n -> copies.addAll(List.of(n + "-canary", n + "-green")));
        for (Role role : o.all(Role.class)) {
            for (PolicyRule rule : role.getRules()) {
                String where = name + " Role " + role.getMetadata().getName() + " " + rule.getResources();
                assertThat(rule.getVerbs()).as(where).doesNotContain("*", "update", "deletecollection", "escalate", "bind", "impersonate");
                assertThat(rule.getResources()).as(where).doesNotContain("*", "secrets", "pods", "pods/exec", "roles", "rolebindings", "namespaces");
                assertThat(rule.getApiGroups()).as(where).doesNotContain("*");
                if (rule.getVerbs().contains("create")) {
                    // create cannot be restricted by name: only the copies' kind, and only create in that rule
                    assertThat(rule.getApiGroups()).as(where).containsExactly("apps");
                    assertThat(rule.getResources()).as(where).containsExactly("deployments");
                    assertThat(rule.getVerbs()).as(where).containsExactly("create");
                    assertThat(rule.getResourceNames()).as(where).isNullOrEmpty();
                } else if (rule.getVerbs().stream().anyMatch(writeVerbs::contains)) {
                    assertThat(rule.getResourceNames()).as(where + ": writes only to named objects").isNotEmpty();
                    for (String target : rule.getResourceNames()) {
                        boolean exists = o.objects().stream().anyMatch(x -> x.getMetadata().getName().equals(target));
                        assertThat(exists || copies.contains(target)).as(where + " names " + target).isTrue();
                    }
                }
                if (rule.getVerbs().contains("delete")) {
                    assertThat(copies).as(where + ": only the copies the workflow made are deleted")
                            .containsAll(rule.getResourceNames());
                }
            }
        }
        Set<String> accounts = new HashSet<>();
        o.all(ServiceAccount.class).forEach(sa -> accounts.add(sa.getMetadata().getName()));
        for (RoleBinding b : o.all(RoleBinding.class)) {
            assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
            assertThat(o.find(Role.class, b.getRoleRef().getName())).isPresent();
            for (Subject s : b.getSubjects()) {
                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                assertThat(s.getName()).isEqualTo("ragline-workflows");
                // the one exception: prod's ops worker drives a failover into dr (KubernetesDrEnvironmentTest)
                boolean failover = name.equals("dr") && b.getMetadata().getName().equals("ragline-dr-failover");
                assertThat(s.getNamespace()).isEqualTo(failover ? Overlay.of("prod").namespace() : o.namespace());
            }
        }
        for (Workload w : o.workloads()) {
            if (w.spec() == null) {
                continue;
            }
            boolean token = !Boolean.FALSE.equals(w.spec().getAutomountServiceAccountToken());
            assertThat(token).as(name + " " + w.name() + " mounts an API token").isEqualTo(w.name().equals("ragline-workflows"));
            if (w.name().startsWith("ragline-") && !w.name().equals("ragline-postgres")) {
                assertThat(accounts).contains(w.spec().getServiceAccountName());
            }
        }
    }

    // ----------------------------------------------------------------------------- per environment

    @ParameterizedTest
    @MethodSource("overlays")
    void postgresIsAStatefulSetInDevAndOperatorManagedElsewhere(String name) {
        Overlay o = Overlay.of(name);
        boolean statefulSet = o.find(StatefulSet.class, "ragline-postgres").isPresent();
        boolean operator = !o.custom("Cluster").isEmpty();
        assertThat(statefulSet).isEqualTo(name.equals("dev"));
        assertThat(operator).isEqualTo(!name.equals("dev"));
        StatefulSet search = o.find(StatefulSet.class, "ragline-search").orElseThrow();
        assertThat(search.getSpec().getVolumeClaimTemplates()).extracting(v -> v.getMetadata().getName()).contains("data");
        assertThat(search.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Delete");
    }

    @org.junit.jupiter.api.Test
    void overlaysDifferWhereTheyShould() {
        String dev = Overlay.of("dev").find(Ingress.class, "ragline-search").orElseThrow().getSpec().getRules().getFirst().getHost();
        String prod = Overlay.of("prod").find(Ingress.class, "ragline-search").orElseThrow().getSpec().getRules().getFirst().getHost();
        assertThat(dev).isNotEqualTo(prod);
        assertThat(Overlay.of("prod").find(HorizontalPodAutoscaler.class, "ragline-search").orElseThrow().getSpec().getMinReplicas())
                .isGreaterThanOrEqualTo(3);
        assertThat(Overlay.of("dr").find(io.fabric8.kubernetes.api.model.apps.Deployment.class, "ragline-ingest")
                .orElseThrow().getSpec().getReplicas()).as("dr: ingest stopped until failover").isZero();
    }
}
