package io.ragline.devstack.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --role-env}: one role process's variables on top of compose's, refused clearly when mistyped. */
class DistributedSettingsTest {
    @Test
    void roleEnvOptionsAreGroupedByProcessAndMayHoldAnEqualsSignInTheValue() {
        assertThat(DistributedSettings.parseRoleEnv(List.of("search-2:RAGLINE_FAULT_HTTP_ERROR_RATE=0.5",
                "search-2:RAGLINE_FAULT_HTTP_DELAY_MS=200", "ingest-1:RAGLINE_S3_SECRET_KEY=a=b")))
                .isEqualTo(Map.of("search-2", Map.of("RAGLINE_FAULT_HTTP_ERROR_RATE", "0.5", "RAGLINE_FAULT_HTTP_DELAY_MS", "200"),
                        "ingest-1", Map.of("RAGLINE_S3_SECRET_KEY", "a=b")));
    }

    @Test
    void aMalformedOptionIsRefusedWithTheExpectedShape() {
        assertThatThrownBy(() -> DistributedSettings.parseRoleEnv(List.of("search-2=RAGLINE_FAULT_HTTP_ERROR_RATE")))
                .hasMessage("--role-env 'search-2=RAGLINE_FAULT_HTTP_ERROR_RATE' must look like PROCESS:VARIABLE=VALUE, "
                        + "e.g. search-2:RAGLINE_FAULT_HTTP_ERROR_RATE=0.5");
    }

    @Test
    void aVariableRaglineDoesNotReadIsRefusedByName() {
        assertThatThrownBy(() -> settings(Map.of("search-2", Map.of("RAGLINE_FAULT_ERROR_RATE", "1"))))
                .hasMessageStartingWith("RAGLINE_FAULT_ERROR_RATE is not a ragline variable");
        assertThat(settings(Map.of("search-2", Map.of("RAGLINE_FAULT_HTTP_ERROR_RATE", "1"))).roleEnv())
                .containsKey("search-2");
    }

    @Test
    void aProcessThePlatformDoesNotRunIsRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> settings(Map.of("search-3", Map.of("RAGLINE_FAULT_HTTP_ERROR_RATE", "1"))))
                .hasMessage("--role-env names process search-3, which this platform does not run; it runs "
                        + "ingest-1, search-1, search-2, embedder-1, embedder-2, workflows-1");
    }

    @Test
    void searchReplicasAreLabelledAsTheStatefulSetsPodsAndOtherRolesByTheirProcessName() {
        assertThat(new RoleInstance("search-1", "search", "ragline-search", 1, 1, "l", 0).pod()).isEqualTo("ragline-search-0");
        assertThat(new RoleInstance("search-3", "search", "ragline-search", 1, 1, "l", 0).pod()).isEqualTo("ragline-search-2");
        assertThat(new RoleInstance("embedder-2", "embedder", "ragline-embedder", 1, 1, "l", 0).pod()).isEqualTo("embedder-2");
    }

    private static DistributedSettings settings(Map<String, Map<String, String>> roleEnv) {
        DistributedSettings d = DistributedSettings.defaults(Path.of("data"));
        return new DistributedSettings(d.dataDir(), d.kafkaPort(), d.kafkaControllerPort(), d.temporalPort(), d.postgresPort(),
                d.s3Port(), d.prometheusPort(), d.blackboxPort(), d.nodeExporterPort(), d.apiPort(), d.rolePortBase(),
                d.ingests(), d.embedders(), d.searchReplicas(), d.workflows(), Duration.ofSeconds(1), roleEnv);
    }
}
