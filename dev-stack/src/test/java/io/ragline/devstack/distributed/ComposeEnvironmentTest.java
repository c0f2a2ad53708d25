package io.ragline.devstack.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The distributed platform on one machine gives each role process compose's environment: these
 * read the repository's docker-compose.yml (the file the build bundles) and hold the launcher to it.
 */
class ComposeEnvironmentTest {
    private static final Path COMPOSE_FILE = Path.of("..", "docker-compose.yml");

    private static String compose() throws IOException {
        return Files.readString(COMPOSE_FILE);
    }

    @Test
    void everyRoleHasAComposeServiceAndItsVariablesAsComposeResolvesThem() throws IOException {
        ComposeServices services = ComposeServices.parse(compose(), name -> null);
        assertThat(services.all()).extracting(ComposeServices.Service::role)
                .containsOnly("ingest", "embedder", "search", "workflows");
        assertThat(services.ofRole("embedder")).extracting(ComposeServices.Service::name).containsExactly("embedder-1", "embedder-2");
        Map<String, String> search = services.ofRole("search").getFirst().environment();
        // ${RAGLINE_DB_PASSWORD:-ragline-dev}: the default without a shell value, the shell's with one
        assertThat(search.get("RAGLINE_JDBC_PASSWORD")).isEqualTo("ragline-dev");
        assertThat(ComposeServices.parse(compose(), name -> name.equals("RAGLINE_DB_PASSWORD") ? "s3cret" : null)
                .ofRole("search").getFirst().environment().get("RAGLINE_JDBC_PASSWORD")).isEqualTo("s3cret");
        assertThat(services.ofRole("workflows").getFirst().environment().get("RAGLINE_BACKUP_TARGET")).startsWith("s3://");
    }

    @Test
    void everyComposeAddressARoleNamesBecomesALocalOneAndNothingElseChanges() throws IOException {
        ComposeServices services = ComposeServices.parse(compose(), name -> null);
        Map<String, String> workflows = services.ofRole("workflows").getFirst().environment();
        Map<String, String> addresses = DistributedPlatform.addresses("127.0.0.1:9092", 7233, 15432, 8080,
                Optional.of(URI.create(workflows.get("RAGLINE_S3_ENDPOINT"))), 9000);
        @SuppressWarnings("unchecked")
        Set<String> composeHosts = ((Map<String, Object>) ((Map<String, Object>) new Yaml().load(compose())).get("services")).keySet();
        Pattern anyComposeHost = Pattern.compile("(?<![A-Za-z0-9.-])(" + String.join("|", composeHosts) + ")(:\\d+)?(?![A-Za-z0-9-])");
        for (ComposeServices.Service service : services.all()) {
            Map<String, String> local = DistributedPlatform.localize(service.environment(), addresses);
            assertThat(local.keySet()).as(service.name()).containsExactlyElementsOf(service.environment().keySet());
            local.forEach((name, value) -> {
                if (name.equals("RAGLINE_INSTANCE_ID")) {
                    return; // a name, not an address (the launcher sets it per process)
                }
                assertThat(anyComposeHost.matcher(value).find()).as("%s %s=%s", service.name(), name, value).isFalse();
                String original = service.environment().get(name);
                if (!addresses.keySet().stream().anyMatch(original::contains)) {
                    assertThat(value).as("%s %s unchanged", service.name(), name).isEqualTo(original);
                }
            });
        }
        assertThat(DistributedPlatform.localize(services.ofRole("search").getFirst().environment(), addresses)
                .get("RAGLINE_JDBC_URL")).isEqualTo("jdbc:postgresql://127.0.0.1:15432/ragline");
    }

    @Test
    void anAddressOfAServiceTheLauncherDoesNotRunIsRefusedByName() {
        assertThatThrownBy(() -> DistributedPlatform.localize(Map.of("RAGLINE_MILVUS_URI", "http://etcd:2379"),
                Map.of("kafka:9092", "127.0.0.1:9092")))
                .hasMessageContaining("etcd:2379").hasMessageContaining("RAGLINE_MILVUS_URI");
    }

    @Test
    void prometheusScrapesEachRoleUnderItsServiceAndTheConfigurationIsValid() throws Exception {
        List<RoleInstance> roles = List.of(new RoleInstance("search-1", "search", "ragline-search", 1, 8080, "l", 0),
                new RoleInstance("search-2", "search", "ragline-search", 2, 8081, "l", 0),
                new RoleInstance("ingest-1", "ingest", "ragline-ingest", 3, 8090, "l", 0));
        Path dir = Files.createTempDirectory("prometheus-config");
        Files.createDirectories(dir.resolve("rules"));
        String config = PrometheusConfig.render(java.time.Duration.ofSeconds(2), roles, dir.resolve("rules"),
                Map.of("kafka", "127.0.0.1:9092"), "127.0.0.1:9115", "127.0.0.1:9100", "127.0.0.1:9090");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) ((Map<String, Object>) new Yaml().load(config)).get("scrape_configs");
        Map<String, Object> search = jobs.stream().filter(j -> j.get("job_name").equals("ragline-search")).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> targets = (List<Map<String, Object>>) search.get("static_configs");
        assertThat(targets).hasSize(2);
        // as the StatefulSet names its pods, so that a gate's selector computed from it works here unchanged
        assertThat(targets.stream().map(t -> String.valueOf(((Map<?, ?>) t.get("labels")).get("pod"))).toList())
                .containsExactly("ragline-search-0", "ragline-search-1");
        assertThat(targets.getFirst().get("labels")).isEqualTo(Map.of("namespace", DistributedPlatform.NAMESPACE,
                "service", "ragline-search", "pod", "ragline-search-0", "container", "ragline", "endpoint", "http"));
        Map<String, Object> ingest = jobs.stream().filter(j -> j.get("job_name").equals("ragline-ingest")).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> ingestTargets = (List<Map<String, Object>>) ingest.get("static_configs");
        assertThat(((Map<?, ?>) ingestTargets.getFirst().get("labels")).get("pod")).isEqualTo("ingest-1");
        Path promtool = Path.of("/usr/bin/promtool");
        if (Files.isExecutable(promtool)) {
            Path file = dir.resolve("prometheus.yml");
            Files.writeString(file, config);
            Process check = new ProcessBuilder(promtool.toString(), "check", "config", file.toString()).redirectErrorStream(true).start();
            String out = new String(check.getInputStream().readAllBytes());
            assertThat(check.waitFor()).as(out).isZero();
        }
    }
}
