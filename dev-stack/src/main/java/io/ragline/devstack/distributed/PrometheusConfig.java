package io.ragline.devstack.distributed;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus configuration of the distributed platform on one machine. Each role is scraped
 * under the labels the Prometheus Operator gives a target of the shipped ServiceMonitor
 * ({@code k8s/base/monitoring/servicemonitor.yaml}): {@code job} and {@code service} the
 * Kubernetes Service ({@code ragline-search}, ...), {@code namespace}, {@code pod},
 * {@code container}, {@code endpoint} (the port name {@code http}) and {@code instance}, so that the
 * alert rules, the dashboard and the deploy gates see here what they see on Kubernetes: search
 * replicas are the StatefulSet's pods {@code ragline-search-0}, {@code ragline-search-1}, ... The
 * engines are probed through the blackbox exporter as compose's {@code ragline-dependencies} job does.
 */
final class PrometheusConfig {
    private PrometheusConfig() {
    }

    static String render(Duration interval, List<RoleInstance> roles, Path rulesDir, Map<String, String> dependencies,
                         String blackbox, String nodeExporter, String self) {
        String every = interval.toMillis() + "ms";
        String timeout = Math.min(interval.toMillis(), 10_000) + "ms";
        StringBuilder y = new StringBuilder();
        y.append("# written by ./ragline up --distributed at every start; edit DistributedPlatform, not this file\n");
        y.append("global:\n");
        y.append("  scrape_interval: ").append(every).append('\n');
        y.append("  scrape_timeout: ").append(timeout).append('\n');
        y.append("  evaluation_interval: ").append(every).append('\n');
        y.append("  external_labels:\n    environment: local\n");
        y.append("rule_files:\n  - ").append(quote(rulesDir.resolve("*.yml").toString())).append('\n');
        y.append("scrape_configs:\n");
        Map<String, List<RoleInstance>> byService = new LinkedHashMap<>();
        roles.forEach(r -> byService.computeIfAbsent(r.service(), s -> new java.util.ArrayList<>()).add(r));
        byService.forEach((service, instances) -> {
            y.append("  - job_name: ").append(service).append('\n');
            y.append("    metrics_path: /metrics\n");
            y.append("    static_configs:\n");
            for (RoleInstance r : instances) {
                y.append("      - targets: [").append(quote("127.0.0.1:" + r.port())).append("]\n");
                y.append("        labels: {namespace: ").append(DistributedPlatform.NAMESPACE)
                        .append(", service: ").append(service)
                        .append(", pod: ").append(r.pod())
                        .append(", container: ragline, endpoint: http}\n");
            }
        });
        if (!dependencies.isEmpty()) {
            y.append("  - job_name: ragline-dependencies\n");
            y.append("    metrics_path: /probe\n");
            y.append("    params:\n      module: [").append(DistributedPlatform.PROBE_MODULE).append("]\n");
            y.append("    static_configs:\n");
            dependencies.forEach((name, address) -> {
                y.append("      - targets: [").append(quote(address)).append("]\n");
                y.append("        labels: {dependency: ").append(name).append("}\n");
            });
            y.append("    relabel_configs:\n");
            y.append("      - source_labels: [__address__]\n        target_label: __param_target\n");
            y.append("      - source_labels: [__param_target]\n        target_label: instance\n");
            y.append("      - target_label: __address__\n        replacement: ").append(quote(blackbox)).append('\n');
        }
        if (nodeExporter != null) {
            y.append("  - job_name: node\n    static_configs:\n      - targets: [").append(quote(nodeExporter)).append("]\n");
        }
        y.append("  - job_name: prometheus\n    static_configs:\n      - targets: [").append(quote(self)).append("]\n");
        return y.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
