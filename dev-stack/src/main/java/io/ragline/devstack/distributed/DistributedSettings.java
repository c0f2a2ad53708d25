package io.ragline.devstack.distributed;

import io.ragline.core.config.Env;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code ./ragline up --distributed} can be told. Engines listen on their usual ports; the
 * first search replica on {@code apiPort}, every other role process on a port counted up from
 * {@code rolePortBase} (search-2, ..., ingest, embedder-1, ..., workflows).
 *
 * @param dataDir         state lives in {@code <dataDir>/distributed}; the development key in {@code <dataDir>/dev-api-key}
 * @param scrapeInterval  Prometheus's scrape and rule evaluation interval
 * @param roleEnv         variables set on one role process on top of what compose gives its role, by process
 *                        name ({@code search-2}): a canary made bad on purpose
 *                        ({@code RAGLINE_FAULT_HTTP_ERROR_RATE}), an experiment with one setting
 */
public record DistributedSettings(Path dataDir, int kafkaPort, int kafkaControllerPort, int temporalPort,
                                  int postgresPort, int s3Port, int prometheusPort, int blackboxPort, int nodeExporterPort, int apiPort,
                                  int rolePortBase, int ingests, int embedders, int searchReplicas, int workflows,
                                  Duration scrapeInterval, Map<String, Map<String, String>> roleEnv) {
    private static final Pattern ROLE_ENV = Pattern.compile("([a-z]+-\\d+):([A-Z0-9_]+)=(.*)");

    public DistributedSettings {
        require(ingests, "ingest processes", 0);
        require(embedders, "embedders", 0);
        require(searchReplicas, "search replicas", 1);
        require(workflows, "workflows processes", 0);
        if (searchReplicas > 9) {
            throw new IllegalArgumentException("at most 9 search replicas, was " + searchReplicas);
        }
        roleEnv = Map.copyOf(roleEnv);
        List<String> processes = processes(ingests, embedders, searchReplicas, workflows);
        for (String process : roleEnv.keySet()) {
            if (!processes.contains(process)) {
                throw new IllegalArgumentException("--role-env names process " + process + ", which this platform does not "
                        + "run; it runs " + String.join(", ", processes));
            }
        }
        for (Map<String, String> vars : roleEnv.values()) {
            for (String name : vars.keySet()) {
                // a typo would leave the process as it was, silently
                if (Arrays.stream(Env.values()).noneMatch(e -> e.name().equals(name))) {
                    throw new IllegalArgumentException(name + " is not a ragline variable (see core/.../config/Env.java)");
                }
            }
        }
    }

    /** The role processes' names, in start order. */
    public List<String> processes() {
        return processes(ingests, embedders, searchReplicas, workflows);
    }

    private static List<String> processes(int ingests, int embedders, int searchReplicas, int workflows) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= ingests; i++) {
            names.add("ingest-" + i);
        }
        for (int i = 1; i <= searchReplicas; i++) {
            names.add("search-" + i);
        }
        for (int i = 1; i <= embedders; i++) {
            names.add("embedder-" + i);
        }
        for (int i = 1; i <= workflows; i++) {
            names.add("workflows-" + i);
        }
        return names;
    }

    private static void require(int count, String what, int min) {
        if (count < min || count > 32) {
            throw new IllegalArgumentException(what + " must be between " + min + " and 32, was " + count);
        }
    }

    public static DistributedSettings defaults(Path dataDir) {
        return new DistributedSettings(dataDir, 9092, 9093, 7233, 15432, 9000, 9090, 9115, 9100, 8080, 8090,
                1, 2, 2, 1, Duration.ofSeconds(15), Map.of());
    }

    /** {@code search-2:RAGLINE_FAULT_HTTP_ERROR_RATE=0.5} options, grouped by process. */
    public static Map<String, Map<String, String>> parseRoleEnv(List<String> options) {
        Map<String, Map<String, String>> byProcess = new LinkedHashMap<>();
        for (String option : options) {
            Matcher m = ROLE_ENV.matcher(option);
            if (!m.matches()) {
                throw new IllegalArgumentException("--role-env '" + option + "' must look like PROCESS:VARIABLE=VALUE, "
                        + "e.g. search-2:RAGLINE_FAULT_HTTP_ERROR_RATE=0.5");
            }
            byProcess.computeIfAbsent(m.group(1), p -> new LinkedHashMap<>()).put(m.group(2), m.group(3));
        }
        return byProcess;
    }
}
