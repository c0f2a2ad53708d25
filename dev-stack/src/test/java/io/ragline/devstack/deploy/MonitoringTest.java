package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Alert rules and the Grafana dashboard use only metrics the code registers (or planned ones). */
class MonitoringTest {
    static final Path SHARED_RULES = Repo.path("monitoring/prometheus/rules/ragline.rules.yml");
    static final Path COMPOSE_RULES = Repo.path("monitoring/prometheus/rules/compose.rules.yml");
    static final Path K8S_RULES = Repo.path("k8s/base/monitoring/prometheusrule.yaml");
    static final Path DASHBOARD = Repo.path("monitoring/grafana/dashboards/ragline-overview.json");
    static final Path K8S_DASHBOARD = Repo.path("k8s/base/monitoring/ragline-overview.json");

    /** What issue #7 asks to alert on, by alert name. */
    static final Set<String> REQUIRED_ALERTS = Set.of("RaglineApiErrorRateHigh", "RaglineApiLatencyHigh",
            "RaglineSearchLatencyHigh", "RaglinePostgresUnreachable", "RaglineKafkaUnreachable",
            "RaglineMilvusUnreachable", "RaglineTemporalUnreachable", "RaglineEmbeddingLagGrowing", "RaglineDlqRateHigh",
            "RaglineBackupTooOld", "RaglineOpsWorkflowFailed", "RaglineJvmMemoryHigh", "RaglineContainerMemoryHigh",
            "RaglineVolumeDiskHigh", "RaglineDiskUsageHigh");

    static Map<String, JsonNode> rules(JsonNode groups) {
        Map<String, JsonNode> rules = new LinkedHashMap<>();
        for (JsonNode g : groups) {
            for (JsonNode r : g.path("rules")) {
                assertThat(rules.put(r.path("alert").asText(), r)).as("duplicate alert " + r.path("alert")).isNull();
            }
        }
        return rules;
    }

    static JsonNode k8sGroups() {
        return Repo.yamlObjects(K8S_RULES).getFirst().path("spec").path("groups");
    }

    static List<String> dashboardExpressions(JsonNode dashboard) {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.findValues("targets")) {
            panel.forEach(t -> exprs.add(t.path("expr").asText()));
        }
        return exprs;
    }

    @Test
    void everyMetricInAlertsAndTheDashboardIsRegisteredByTheCode() throws Exception {
        assertThat(MetricCatalog.registered().keySet()).as("MetricNames parsed from source == declared")
                .containsAll(MetricCatalog.declaredInCore());
        Set<String> allowed = MetricCatalog.allowed();
        Map<String, String> exprs = new LinkedHashMap<>();
        for (JsonNode groups : List.of(Repo.yamlObjects(SHARED_RULES).getFirst().path("groups"),
                Repo.yamlObjects(COMPOSE_RULES).getFirst().path("groups"), k8sGroups())) {
            rules(groups).forEach((alert, rule) -> exprs.put("alert " + alert, rule.path("expr").asText()));
        }
        JsonNode dashboard = Repo.JSON.readTree(DASHBOARD.toFile());
        List<String> panelExprs = dashboardExpressions(dashboard);
        assertThat(panelExprs).hasSizeGreaterThan(10);
        for (int i = 0; i < panelExprs.size(); i++) {
            exprs.put("dashboard query " + i, panelExprs.get(i));
        }
        Set<String> used = new TreeSet<>();
        exprs.forEach((where, expr) -> {
            Set<String> names = PromQl.metricNames(expr);
            assertThat(names).as(where + " reads some metric: " + expr).isNotEmpty();
            assertThat(names).as(where + ": metric names the code does not register (see MetricCatalog)").isSubsetOf(allowed);
            used.addAll(names);
        });
        // the dashboard and the alerts cover ragline's own metrics, not just the JVM
        assertThat(used).contains("ragline_http_requests_seconds_count", "ragline_http_requests_seconds_bucket",
                "ragline_search_seconds_bucket", "ragline_embeddings_total", "ragline_indexer_chunks_total",
                "ragline_dlq_records_total", "ragline_embedding_lag", "ragline_ops_workflows_total",
                "ragline_backup_last_success_timestamp_seconds");
    }

    @Test
    void requiredAlertsExistWithSeverityAndSummary() {
        Map<String, JsonNode> all = new LinkedHashMap<>();
        all.putAll(rules(k8sGroups()));
        all.putAll(rules(Repo.yamlObjects(COMPOSE_RULES).getFirst().path("groups")));
        assertThat(all.keySet()).containsAll(REQUIRED_ALERTS);
        all.forEach((name, rule) -> {
            assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("warning", "critical");
            assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
        });
        assertThat(all.get("RaglineApiErrorRateHigh").path("expr").asText()).contains("5..").contains("0.05");
        assertThat(all.get("RaglineApiErrorRateHigh").path("for").asText()).isEqualTo("5m");
        assertThat(all.get("RaglineApiLatencyHigh").path("expr").asText()).contains("0.95").endsWith("> 2\n");
        assertThat(all.get("RaglineSearchLatencyHigh").path("expr").asText()).contains("0.95").endsWith("> 5\n");
        assertThat(all.get("RaglineEmbeddingLagGrowing").path("for").asText()).isEqualTo("10m");
        assertThat(all.get("RaglineBackupTooOld").path("expr").asText()).contains("3600");
    }

    @Test
    void kubernetesCarriesTheSharedRulesVerbatimAndTheSameDashboard() throws Exception {
        Map<String, JsonNode> shared = rules(Repo.yamlObjects(SHARED_RULES).getFirst().path("groups"));
        Map<String, JsonNode> k8s = rules(k8sGroups());
        shared.forEach((name, rule) -> assertThat(k8s.get(name)).as("PrometheusRule carries " + name).isEqualTo(rule));
        assertThat(Files.readString(K8S_DASHBOARD)).as("k8s/base/monitoring copy of the dashboard")
                .isEqualTo(Files.readString(DASHBOARD));
        JsonNode dashboard = Repo.JSON.readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("ragline-overview");
        List<String> titles = dashboard.findValuesAsText("title");
        assertThat(String.join("|", titles).toLowerCase()).contains("request rate", "error rate", "heatmap",
                "search latency percentiles", "throughput", "lag", "dlq", "workflow outcomes", "backup");
        for (JsonNode ds : dashboard.findValues("datasource")) {
            assertThat(ds.path("uid").asText()).as("panels use the provisioned data source").isEqualTo("prometheus");
        }
        JsonNode provisioned = Repo.yamlObjects(Repo.path("monitoring/grafana/provisioning/datasources/prometheus.yml"))
                .getFirst().path("datasources").get(0);
        assertThat(provisioned.path("uid").asText()).isEqualTo("prometheus");
    }

    static final Path BLACKBOX_VALUES = Repo.path("k8s/cluster/blackbox-exporter-values.yaml");

    /** Blackbox modules the Probes name are defined by the chart values the README installs the exporter with. */
    @Test
    void everyProbeModuleIsDefinedByTheBlackboxExporterChartValuesTheReadmeInstalls() {
        JsonNode modules = Repo.yamlObjects(BLACKBOX_VALUES).getFirst().path("config").path("modules");
        String readme = Repo.read(Repo.path("README.md"));
        var helm = java.util.regex.Pattern.compile("helm upgrade --install (\\S+) prometheus-community/prometheus-blackbox-exporter"
                + " -n (\\S+) -f k8s/cluster/blackbox-exporter-values\\.yaml").matcher(readme);
        assertThat(helm.find()).as("README installs the chart with -f k8s/cluster/blackbox-exporter-values.yaml").isTrue();
        // the chart names its Service after a release whose name contains the chart's
        String exporter = helm.group(1) + "." + helm.group(2) + ".svc";
        for (String name : Overlay.NAMES) {
            List<io.fabric8.kubernetes.api.model.GenericKubernetesResource> probes = Overlay.of(name).custom("Probe");
            assertThat(probes).isNotEmpty();
            for (var probe : probes) {
                JsonNode spec = Repo.JSON.valueToTree(probe.getAdditionalProperties().get("spec"));
                String module = spec.path("module").asText();
                String where = name + " Probe " + probe.getMetadata().getName();
                assertThat(modules.has(module)).as(where + ": module " + module + " defined in " + BLACKBOX_VALUES).isTrue();
                if (module.startsWith("tcp")) {
                    assertThat(modules.path(module).path("prober").asText()).as(where).isEqualTo("tcp");
                }
                assertThat(spec.path("prober").path("url").asText()).as(where + " prober").startsWith(exporter + ":");
            }
        }
    }

    @Test
    void everyModuleComposePrometheusAsksForIsDefinedInBlackboxYml() {
        JsonNode modules = Repo.yamlObjects(Repo.path("monitoring/blackbox/blackbox.yml")).getFirst().path("modules");
        JsonNode prometheus = Repo.yamlObjects(Repo.path("monitoring/prometheus/prometheus.yml")).getFirst();
        Set<String> used = new TreeSet<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            job.path("params").path("module").forEach(m -> used.add(m.asText()));
            if (job.path("metrics_path").asText().equals("/probe")) {
                assertThat(job.path("params").path("module")).as(job.path("job_name") + " names a module").isNotEmpty();
            }
        }
        assertThat(used).isNotEmpty();
        for (String m : used) {
            assertThat(modules.has(m)).as("module " + m + " defined in monitoring/blackbox/blackbox.yml").isTrue();
        }
    }

    /** promtool, where installed (Debian package prometheus), checks the rules too. */
    @Test
    void promtoolAcceptsTheRulesWhereInstalled() throws Exception {
        Path promtool = null;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, "promtool"))) {
                promtool = Path.of(dir, "promtool");
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(promtool != null, "promtool not installed");
        Path k8sRules = Files.createTempFile("prometheusrule", ".yml");
        Repo.YAML.writeValue(k8sRules.toFile(), Repo.yamlObjects(K8S_RULES).getFirst().path("spec"));
        for (Path file : List.of(SHARED_RULES, COMPOSE_RULES, k8sRules)) {
            Process p = new ProcessBuilder(promtool.toString(), "check", "rules", file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(file + ": " + out).isZero();
        }
        Files.delete(k8sRules);
    }
}
