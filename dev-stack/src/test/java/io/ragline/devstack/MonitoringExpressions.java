package io.ragline.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.ragline.ops.deploy.AnalysisSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every PromQL expression ragline ships, from where it ships: the compose alert rules, the
 * Kubernetes PrometheusRule, the Grafana dashboard and the deploy gates' default queries.
 */
final class MonitoringExpressions {
    /** One expression and where it comes from. */
    record Expression(String source, String name, String promql) {
    }

    /** Names that exist only on Kubernetes (cAdvisor, kube-state-metrics, kubelet). */
    private static final Pattern KUBERNETES_ONLY = Pattern.compile("\\b(container_[a-z_]+|kube_[a-z_]+|kubelet_[a-z_]+)\\b");
    private static final Pattern THRESHOLD = Pattern.compile("\\s*(>=|<=|==|!=|>|<)\\s*-?[0-9.]+(e[+-]?[0-9]+)?\\s*$");
    private static final Pattern ABSENT = Pattern.compile("^\\s*absent\\((.*)\\)\\s*$", Pattern.DOTALL);

    private MonitoringExpressions() {
    }

    static List<Expression> all(Path repo) throws IOException {
        List<Expression> all = new ArrayList<>();
        YAMLMapper yaml = new YAMLMapper();
        try (var rules = Files.list(repo.resolve("monitoring/prometheus/rules"))) {
            for (Path file : rules.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                addRules(all, repo.relativize(file).toString(), yaml.readTree(file.toFile()).path("groups"));
            }
        }
        addRules(all, "k8s/base/monitoring/prometheusrule.yaml",
                yaml.readTree(repo.resolve("k8s/base/monitoring/prometheusrule.yaml").toFile()).path("spec").path("groups"));
        JsonNode dashboard = new ObjectMapper().readTree(repo.resolve("monitoring/grafana/dashboards/ragline-overview.json").toFile());
        addPanels(all, dashboard.path("panels"));
        all.add(new Expression("AnalysisSpec", "default success-rate gate", gate(AnalysisSpec.DEFAULT_SUCCESS_RATE_QUERY)));
        all.add(new Expression("AnalysisSpec", "default latency gate", gate(AnalysisSpec.DEFAULT_LATENCY_QUERY)));
        return all;
    }

    /** A gate selects pods as the ServiceMonitor labels them; here every pod of the search Service. */
    private static String gate(String query) {
        return query.replace(AnalysisSpec.SELECTOR, "service=\"ragline-search\"").replace(AnalysisSpec.WINDOW, "1m");
    }

    private static void addRules(List<Expression> all, String source, JsonNode groups) {
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
                all.add(new Expression(source, name, rule.path("expr").asText().strip()));
            }
        }
    }

    private static void addPanels(List<Expression> all, JsonNode panels) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                if (target.has("expr")) {
                    all.add(new Expression("ragline-overview.json", panel.path("title").asText() + " [" + target.path("refId").asText() + "]",
                            target.path("expr").asText().replace("$__rate_interval", "1m")));
                }
            }
            addPanels(all, panel.path("panels"));
        }
    }

    static boolean kubernetesOnly(String promql) {
        return KUBERNETES_ONLY.matcher(promql).find();
    }

    /**
     * What must return data in steady state: an alert's measured quantity without its threshold
     * (a threshold only says when to fire); each side of an {@code and}; the argument of
     * {@code absent()} (which itself answers only when the series is missing).
     */
    static List<String> steadyStateParts(String promql) {
        Matcher absent = ABSENT.matcher(promql);
        if (absent.matches()) {
            return List.of(absent.group(1));
        }
        List<String> parts = new ArrayList<>();
        for (String part : splitTopLevel(promql, " and ")) {
            parts.add(THRESHOLD.matcher(part).replaceAll(""));
        }
        return parts;
    }

    private static List<String> splitTopLevel(String s, String separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '{' || c == '[') {
                depth++;
            } else if (c == ')' || c == '}' || c == ']') {
                depth--;
            } else if (depth == 0 && s.startsWith(separator, i)) {
                parts.add(s.substring(start, i).strip());
                start = i + separator.length();
            }
        }
        parts.add(s.substring(start).strip());
        return parts;
    }
}
