package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.config.Env;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** docker-compose.yml, parsed (anchors and merge keys resolved) and checked. */
class ComposeTest {
    static final Set<String> RAGLINE_SERVICES = Set.of("ingest", "embedder-1", "embedder-2", "search", "workflows");
    static final JsonNode COMPOSE = Repo.yamlWithMergeKeys(Repo.path("docker-compose.yml"));

    static JsonNode services() {
        return COMPOSE.path("services");
    }

    /** environment as a map, whichever of the two forms (map or KEY=VALUE list) it is written in. */
    static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode e = service.path("environment");
        if (e.isArray()) {
            e.forEach(item -> {
                String s = item.asText();
                env.put(s.contains("=") ? s.substring(0, s.indexOf('=')) : s, s.contains("=") ? s.substring(s.indexOf('=') + 1) : "");
            });
        } else {
            e.properties().forEach(p -> env.put(p.getKey(), p.getValue().asText()));
        }
        assertThat(service.has("env_file")).as("env_file would hide variables from this check").isFalse();
        return env;
    }

    @Test
    void everyPieceOfTheDistributedPlatformIsThere() {
        Set<String> names = new TreeSet<>();
        services().fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("kafka", "temporal", "temporal-postgres", "temporal-ui", "milvus", "etcd", "minio",
                "minio-init", "postgres", "prometheus", "grafana", "ingest", "embedder-1", "embedder-2", "search",
                "workflows");
        assertThat(services().path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText())
                .as("KRaft, no ZooKeeper").isEqualTo("broker,controller");
        assertThat(services().path("minio-init").path("entrypoint").toString()).contains("mc mb").contains("ragline-backups");
        for (String s : RAGLINE_SERVICES) {
            assertThat(services().path(s).path("command").get(0).asText()).isEqualTo("serve");
        }
        assertThat(RAGLINE_SERVICES.stream().map(s -> services().path(s).path("command").get(1).asText()).toList())
                .containsExactlyInAnyOrder("ingest", "embedder", "embedder", "search", "workflows");
    }

    @Test
    void raglineServicesSetOnlyVariablesTheCodeReads() {
        Set<String> allowed = new HashSet<>();
        Arrays.stream(Env.values()).map(Enum::name).forEach(allowed::add);
        allowed.add("JAVA_TOOL_OPTIONS");
        Set<String> raglineImage = new HashSet<>();
        services().properties().forEach(p -> {
            if (p.getValue().path("image").asText().contains("RAGLINE_IMAGE")) {
                raglineImage.add(p.getKey());
            }
        });
        assertThat(raglineImage).isEqualTo(RAGLINE_SERVICES);
        for (String s : RAGLINE_SERVICES) {
            Map<String, String> env = environment(services().path(s));
            assertThat(env.keySet()).as(s + ": variables outside core/.../config/Env.java").isSubsetOf(allowed);
            assertThat(env).as(s).containsEntry("RAGLINE_HOST", "0.0.0.0").containsKey("RAGLINE_KAFKA_BOOTSTRAP");
            assertThat(env.get("RAGLINE_KAFKA_BOOTSTRAP")).isEqualTo("kafka:9092");
            assertThat(env).as(s + ": JSON log lines").containsEntry("RAGLINE_LOG_FORMAT", "json");
        }
        assertThat(environment(services().path("workflows"))).containsEntry("RAGLINE_URL", "http://search:8080")
                .containsEntry("RAGLINE_TEMPORAL_TARGET", "temporal:7233");
        assertThat(environment(services().path("search")).get("RAGLINE_JDBC_URL")).isEqualTo("jdbc:postgresql://postgres:5432/ragline");
    }

    @Test
    void raglineServicesRunLockedDown() {
        for (String s : RAGLINE_SERVICES) {
            JsonNode svc = services().path(s);
            assertThat(svc.path("read_only").asBoolean()).as(s + " read_only").isTrue();
            assertThat(svc.path("user").asText()).as(s + " user").isEqualTo("10001:10001");
            assertThat(svc.path("cap_drop").toString()).as(s).contains("ALL");
            assertThat(svc.path("security_opt").toString()).as(s).contains("no-new-privileges:true");
            assertThat(svc.path("tmpfs").toString()).as(s + ": /tmp writable and exec (native libraries)").contains("/tmp:").contains("exec");
            assertThat(svc.path("volumes").toString()).as(s + " data volume").contains(":/var/lib/ragline");
        }
    }

    @Test
    void healthChecksDependenciesAndNamedVolumesHangTogether() {
        Set<String> declaredVolumes = new HashSet<>();
        COMPOSE.path("volumes").fieldNames().forEachRemaining(declaredVolumes::add);
        Set<String> used = new HashSet<>();
        List<String> oneShot = List.of("minio-init");
        services().properties().forEach(p -> {
            String name = p.getKey();
            JsonNode svc = p.getValue();
            if (!oneShot.contains(name)) {
                assertThat(svc.has("healthcheck")).as(name + " has a healthcheck").isTrue();
                assertThat(svc.path("healthcheck").path("test").isMissingNode()).isFalse();
            }
            JsonNode deps = svc.path("depends_on");
            assertThat(deps.isArray()).as(name + ": depends_on with conditions, not a bare list").isFalse();
            deps.properties().forEach(d -> {
                assertThat(services().has(d.getKey())).as(name + " depends on " + d.getKey()).isTrue();
                String condition = d.getValue().path("condition").asText();
                assertThat(condition).as(name + " -> " + d.getKey()).isIn("service_healthy", "service_started",
                        "service_completed_successfully");
                if (condition.equals("service_healthy")) {
                    assertThat(services().path(d.getKey()).has("healthcheck")).isTrue();
                }
            });
            for (JsonNode v : svc.path("volumes")) {
                String source = v.asText().split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(Files.exists(Repo.path(source.substring(2)))).as(name + " mounts " + source).isTrue();
                } else {
                    assertThat(declaredVolumes).as(name + " uses named volume " + source).contains(source);
                    used.add(source);
                }
            }
        });
        assertThat(used).as("declared volumes are used").isEqualTo(declaredVolumes);
        assertThat(services().path("workflows").path("depends_on").path("temporal").path("condition").asText())
                .isEqualTo("service_healthy");
    }

    @Test
    void prometheusScrapesEveryRaglineServiceAndLoadsTheRules() {
        JsonNode prometheus = Repo.yamlObjects(Repo.path("monitoring/prometheus/prometheus.yml")).getFirst();
        assertThat(prometheus.path("rule_files").toString()).contains("/etc/prometheus/rules/");
        assertThat(services().path("prometheus").path("volumes").toString()).contains("./monitoring/prometheus/rules:/etc/prometheus/rules");
        Set<String> targets = new TreeSet<>();
        List<String> dependencies = new ArrayList<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            for (JsonNode sc : job.path("static_configs")) {
                sc.path("targets").forEach(t -> targets.add(t.asText()));
                if (sc.path("labels").has("dependency")) {
                    dependencies.add(sc.path("labels").path("dependency").asText());
                }
            }
        }
        for (String t : targets) {
            String host = t.substring(0, t.indexOf(':'));
            assertThat(host.equals("localhost") || services().has(host)).as("scrape target " + t).isTrue();
        }
        for (String s : RAGLINE_SERVICES) {
            assertThat(targets).contains(s + ":8080");
        }
        assertThat(dependencies).containsExactlyInAnyOrder("kafka", "postgres", "temporal", "milvus");
    }
}
