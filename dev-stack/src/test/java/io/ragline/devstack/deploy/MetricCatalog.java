package io.ragline.devstack.deploy;

import io.ragline.core.metrics.MetricNames;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Prometheus names ragline's code registers, derived from the Micrometer names in the
 * {@code *MetricNames} classes and the meter type their Javadoc states (Timer, Counter, Gauge,
 * Distribution summary), plus the JVM/process binders, the exporters the deployment runs, and the
 * planned names (see {@link #PLANNED}).
 */
final class MetricCatalog {
    /** Micrometer name constants, by source file; the second is optional (issue #6, deploy workflows). */
    static final List<String> SOURCES = List.of("core/src/main/java/io/ragline/core/metrics/MetricNames.java",
            "deployment-workflows/src/main/java/io/ragline/ops/OpsMetricNames.java");

    /**
     * PLANNED: metrics the code does not register yet; alerts and panels on them stay silent (or
     * show "no data") until it does. When one lands, its Prometheus name must be the one here, or
     * the rules and the dashboard must follow: then delete it from this list.
     */
    static final Set<String> PLANNED = Set.of();

    /** Micrometer's JVM and process binders, as /metrics of a running service shows them. */
    static final Set<String> BINDERS = Set.of(
            "jvm_memory_used_bytes", "jvm_memory_max_bytes", "jvm_memory_committed_bytes",
            "jvm_gc_pause_seconds_count", "jvm_gc_pause_seconds_sum", "jvm_gc_pause_seconds_max",
            "jvm_gc_memory_allocated_bytes_total", "jvm_gc_live_data_size_bytes", "jvm_gc_max_data_size_bytes",
            "jvm_threads_live_threads", "jvm_threads_daemon_threads", "jvm_threads_peak_threads",
            "jvm_threads_states_threads", "jvm_buffer_memory_used_bytes", "jvm_buffer_count_buffers",
            "process_cpu_usage", "process_uptime_seconds", "process_start_time_seconds",
            "system_cpu_usage", "system_cpu_count", "system_load_average_1m");

    /** Not ragline's: series of Prometheus itself and of the exporters the deployment relies on. */
    static final Set<String> EXPORTERS = Set.of(
            "up", "probe_success", // Prometheus; blackbox-exporter (dependency reachability)
            "container_memory_working_set_bytes", // cAdvisor (kubelet)
            "kube_pod_container_resource_limits", // kube-state-metrics
            "kubelet_volume_stats_used_bytes", "kubelet_volume_stats_capacity_bytes", // kubelet
            "node_filesystem_avail_bytes", "node_filesystem_size_bytes"); // node-exporter (compose)

    private static final Pattern CONSTANT = Pattern.compile(
            "/\\*\\*((?:(?!\\*/).)*)\\*/\\s*public static final String (\\w+)\\s*=\\s*\"([^\"]+)\";", Pattern.DOTALL);

    private MetricCatalog() {
    }

    /** Micrometer name to meter type ("timer", "counter", "gauge", "summary" or "unknown"). */
    static Map<String, String> registered() {
        Map<String, String> types = new LinkedHashMap<>();
        for (String source : SOURCES) {
            Path file = Repo.path(source);
            if (Files.isRegularFile(file)) {
                types.putAll(parse(Repo.read(file)));
            }
        }
        return types;
    }

    static Map<String, String> parse(String source) {
        Map<String, String> types = new LinkedHashMap<>();
        Matcher m = CONSTANT.matcher(source);
        while (m.find()) {
            String doc = m.group(1).replaceAll("(?m)^\\s*\\*", " ").strip().toLowerCase();
            String type = doc.startsWith("timer") ? "timer"
                    : doc.startsWith("counter") ? "counter"
                    : doc.startsWith("gauge") ? "gauge"
                    : doc.startsWith("distribution summary") ? "summary" : "unknown";
            types.put(m.group(3), type);
        }
        return types;
    }

    /** The Micrometer names MetricNames declares, by reflection (to cross-check the source parsing). */
    static Set<String> declaredInCore() throws IllegalAccessException {
        Set<String> names = new TreeSet<>();
        for (Field f : MetricNames.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                names.add((String) f.get(null));
            }
        }
        return names;
    }

    /** The Prometheus series names a Micrometer meter of this type and name shows. */
    static Set<String> prometheusNames(String micrometerName, String type) {
        String base = micrometerName.replace('.', '_');
        Set<String> names = new TreeSet<>();
        switch (type) {
            case "timer" -> List.of("_seconds_count", "_seconds_sum", "_seconds_max", "_seconds_bucket")
                    .forEach(s -> names.add(base + s));
            case "counter" -> names.add(base + "_total");
            case "gauge" -> names.add(base);
            case "summary" -> List.of("_count", "_sum", "_max", "_bucket").forEach(s -> names.add(base + s));
            default -> {
                names.add(base);
                List.of("_total", "_seconds_count", "_seconds_sum", "_seconds_max", "_seconds_bucket", "_count",
                        "_sum", "_max", "_bucket").forEach(s -> names.add(base + s));
            }
        }
        return names;
    }

    /** Every name a rule or a panel may use. */
    static Set<String> allowed() {
        Set<String> names = new TreeSet<>();
        registered().forEach((name, type) -> names.addAll(prometheusNames(name, type)));
        names.addAll(PLANNED);
        names.addAll(BINDERS);
        names.addAll(EXPORTERS);
        return names;
    }
}
