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
        assertThat(names).contains("kafka", "temporal", "temporal-postgres", "temporal-ui", "milvus", "etcd", "seaweedfs",
                "s3-init", "postgres", "prometheus", "grafana", "ingest", "embedder-1", "embedder-2", "search",
                "workflows");
        assertThat(services().path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText())
                .as("KRaft, no ZooKeeper").isEqualTo("broker,controller");
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

    /** Docker Hub deleted minio/minio and minio/mc (September 2026): a fresh pull of either fails. */
    @Test
    void noImageComesFromTheDeletedMinioRepositoriesAndEveryImageIsPinned() {
        services().properties().forEach(p -> {
            String image = p.getValue().path("image").asText();
            assertThat(image).as(p.getKey() + " image").isNotBlank().doesNotContain(":latest");
            assertThat(image.contains("@") || image.substring(image.lastIndexOf('/') + 1).contains(":"))
                    .as(p.getKey() + " image pinned: " + image).isTrue();
            assertThat(image).as(p.getKey() + ": Docker Hub's minio/ repositories are gone").doesNotStartWith("minio/")
                    .doesNotStartWith("docker.io/minio/");
        });
    }

    /** The S3 server, its buckets and their users: Milvus and the workflow workers' backups. */
    @Test
    void theS3ServerHoldsMilvussBucketAndTheBackupsTheWorkflowsWrite() {
        JsonNode init = services().path("s3-init");
        String script = init.path("entrypoint").toString() + init.path("command").toString();
        assertThat(script).as("s3-init fails loudly: no step may swallow an error").doesNotContain("|| true")
                .doesNotContain("||true").doesNotContain("; true").contains("-e");
        assertThat(init.path("restart").asText()).isEqualTo("no");
        // the workflow workers back up to the bucket s3-init creates, on the S3 server compose runs
        Map<String, String> workflows = environment(services().path("workflows"));
        String target = workflows.get(Env.RAGLINE_BACKUP_TARGET.name());
        assertThat(target).as("workflows' backup target").startsWith("s3://");
        String bucket = java.net.URI.create(target).getHost();
        assertThat(script).as("s3-init creates the backup bucket " + bucket).contains(bucket).contains("create-bucket");
        java.net.URI endpoint = java.net.URI.create(workflows.get(Env.RAGLINE_S3_ENDPOINT.name()));
        String s3 = endpoint.getHost();
        assertThat(services().has(s3)).as("RAGLINE_S3_ENDPOINT names compose service " + s3).isTrue();
        assertThat(services().path(s3).has("healthcheck")).isTrue();
        assertThat(workflows).containsEntry(Env.RAGLINE_S3_PATH_STYLE.name(), "true")
                .containsKeys(Env.RAGLINE_S3_ACCESS_KEY.name(), Env.RAGLINE_S3_SECRET_KEY.name());
        assertThat(init.path("environment").path("AWS_ENDPOINT_URL").asText()).isEqualTo(endpoint.toString());
        assertThat(init.path("environment").path("AWS_ACCESS_KEY_ID").asText())
                .as("s3-init and workflows use one identity").isEqualTo(workflows.get(Env.RAGLINE_S3_ACCESS_KEY.name()));
        assertThat(services().path("workflows").path("depends_on").path("s3-init").path("condition").asText())
                .isEqualTo("service_completed_successfully");
        // Milvus's object storage is the same server, in a bucket s3-init creates
        JsonNode milvus = services().path("milvus").path("environment");
        assertThat(milvus.path("MINIO_ADDRESS").asText()).isEqualTo(s3 + ":" + endpoint.getPort());
        assertThat(milvus.path("MINIO_ACCESS_KEY_ID").asText()).isEqualTo(workflows.get(Env.RAGLINE_S3_ACCESS_KEY.name()));
        assertThat(script).as("s3-init creates Milvus's bucket").contains(milvus.path("MINIO_BUCKET_NAME").asText("missing"));
        assertThat(services().path("milvus").path("depends_on").path("s3-init").path("condition").asText())
                .isEqualTo("service_completed_successfully");
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
        List<String> oneShot = List.of("s3-init");
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

    /** The labels the Prometheus Operator gives a ServiceMonitor target; the deploy gates select on service. */
    @Test
    void raglineServicesAreScrapedUnderTheServiceMonitorsLabels() {
        JsonNode prometheus = Repo.yamlObjects(Repo.path("monitoring/prometheus/prometheus.yml")).getFirst();
        Set<String> scraped = new TreeSet<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            for (JsonNode sc : job.path("static_configs")) {
                for (JsonNode t : sc.path("targets")) {
                    String host = t.asText().substring(0, t.asText().indexOf(':'));
                    if (!RAGLINE_SERVICES.contains(host)) {
                        continue;
                    }
                    String role = services().path(host).path("command").get(1).asText();
                    JsonNode labels = sc.path("labels");
                    assertThat(job.path("job_name").asText()).as(host).isEqualTo("ragline-" + role);
                    assertThat(labels.path("service").asText()).as(host).isEqualTo("ragline-" + role);
                    assertThat(labels.path("pod").asText()).as(host).isEqualTo(host);
                    assertThat(labels.path("endpoint").asText()).as(host).isEqualTo("http");
                    assertThat(labels.has("namespace") && labels.has("container")).as(host).isTrue();
                    scraped.add(host);
                }
            }
        }
        assertThat(scraped).containsExactlyInAnyOrderElementsOf(RAGLINE_SERVICES);
    }
}
