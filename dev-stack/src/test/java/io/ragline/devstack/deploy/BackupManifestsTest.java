package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.ragline.core.config.Env;
import io.ragline.devstack.serve.ScheduledBackups;
import java.net.URI;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a workflows pod (or compose service) needs for the hourly backup to reach object storage:
 * a schedule the ops worker accepts, an S3 target of its own, and a network path to the endpoint.
 * (Target, endpoint and keys from ConfigMap and Secret: {@code KubernetesManifestsTest}.)
 */
class BackupManifestsTest {
    static List<String> overlays() {
        return Overlay.NAMES;
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theWorkflowsPodReachesItsS3EndpointThroughItsEgressPolicy(String name) {
        Overlay o = Overlay.of(name);
        Map<String, String> config = config(o);
        int port = port(config.get(Env.RAGLINE_S3_ENDPOINT.name()));
        Container workflows = workflows(o);
        assertThat(workflows.getEnvFrom()).anyMatch(f -> f.getConfigMapRef() != null
                && "ragline-config".equals(f.getConfigMapRef().getName()));
        Map<String, String> podLabels = o.find(io.fabric8.kubernetes.api.model.apps.Deployment.class, "ragline-workflows")
                .orElseThrow().getSpec().getTemplate().getMetadata().getLabels();
        Set<Integer> anywhere = new HashSet<>();
        for (NetworkPolicy p : o.all(NetworkPolicy.class)) {
            if (!Overlay.matches(p.getSpec().getPodSelector().getMatchLabels(), podLabels)) {
                continue;
            }
            for (NetworkPolicyEgressRule rule : p.getSpec().getEgress()) {
                if (rule.getTo() == null || rule.getTo().isEmpty()) {
                    rule.getPorts().forEach(pp -> anywhere.add(pp.getPort().getIntVal()));
                }
            }
        }
        assertThat(anywhere).as(name + ": workflows egress reaches the S3 endpoint's port").contains(port);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyOverlaysBackupScheduleIsOneTheOpsWorkerAccepts(String name) {
        Map<String, String> config = config(Overlay.of(name));
        // throws on a value the worker refuses at start
        ScheduledBackups.Schedule schedule = ScheduledBackups.schedule(config);
        assertThat(schedule).as(name).isEqualTo(name.equals("dr") ? ScheduledBackups.Schedule.OFF
                : ScheduledBackups.Schedule.HOURLY);
    }

    /** Two environments backing up hourly into one prefix would prune and shadow each other's backups. */
    @Test
    void noTwoEnvironmentsBackUpHourlyIntoTheSamePrefix() {
        Map<String, String> writers = new HashMap<>();
        for (String name : Overlay.NAMES) {
            Map<String, String> config = config(Overlay.of(name));
            if (ScheduledBackups.schedule(config) == ScheduledBackups.Schedule.HOURLY) {
                String target = config.get(Env.RAGLINE_BACKUP_TARGET.name());
                assertThat(writers.put(target, name)).as(name + " and another overlay both back up to " + target).isNull();
            }
        }
        assertThat(writers).hasSize(3);
    }

    @Test
    void composesWorkflowsBackUpHourlyToTheS3ServerItRuns() {
        Map<String, String> env = ComposeTest.environment(ComposeTest.services().path("workflows"));
        assertThat(ScheduledBackups.schedule(env)).isEqualTo(ScheduledBackups.Schedule.HOURLY);
        assertThat(env.get(Env.RAGLINE_BACKUP_TARGET.name())).startsWith("s3://");
        assertThat(env).containsKeys(Env.RAGLINE_S3_ENDPOINT.name(), Env.RAGLINE_S3_ACCESS_KEY.name(),
                Env.RAGLINE_S3_SECRET_KEY.name());
    }

    private static Map<String, String> config(Overlay o) {
        return o.find(ConfigMap.class, "ragline-config").orElseThrow().getData();
    }

    private static Container workflows(Overlay o) {
        return KubernetesManifestsTest.raglineContainers(o).stream()
                .filter(c -> c.getArgs().get(1).equals("workflows")).findFirst().orElseThrow();
    }

    /** The TCP port of an endpoint override; AWS (no override) is HTTPS. */
    private static int port(String endpoint) {
        if (endpoint == null || endpoint.isBlank()) {
            return 443;
        }
        URI uri = URI.create(endpoint);
        return uri.getPort() > 0 ? uri.getPort() : "http".equals(uri.getScheme()) ? 80 : 443;
    }
}
