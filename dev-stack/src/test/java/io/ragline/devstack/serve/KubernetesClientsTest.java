package io.ragline.devstack.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@code serve workflows} gets its Kubernetes client from. */
class KubernetesClientsTest {
    @TempDir
    Path tmp;
    private KubernetesMockServer server;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        try (KubernetesClient harness = server.createClient()) {
            harness.configMaps().inNamespace("ragline-dev").resource(new ConfigMapBuilder()
                    .withNewMetadata().withName("ragline-config").endMetadata()
                    .addToData("RAGLINE_PARTITIONS", "3").build()).create();
        }
    }

    @AfterEach
    void stop() {
        server.destroy();
    }

    @Test
    void outsideAPodItTalksToTheClusterAndNamespaceOfKubeconfig() throws Exception {
        Path kubeconfig = Files.writeString(tmp.resolve("config"), """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: local
                    cluster:
                      server: %s
                contexts:
                  - name: local
                    context: {cluster: local, user: ops, namespace: ragline-dev}
                current-context: local
                users:
                  - name: ops
                    user: {token: not-a-real-token}
                """.formatted(server.url("/")));

        try (KubernetesClient client = KubernetesClients.fromEnvironment(Map.of("KUBECONFIG", kubeconfig.toString()),
                tmp.resolve("no-token")).orElseThrow()) {
            assertThat(client.getNamespace()).isEqualTo("ragline-dev");
            assertThat(client.configMaps().withName("ragline-config").get().getData())
                    .containsEntry("RAGLINE_PARTITIONS", "3");
        }
        assertThat(server.getLastRequest().getHeader("Authorization")).isEqualTo("Bearer not-a-real-token");
    }

    @Test
    void withNeitherATokenNorKubeconfigThereIsNone() {
        assertThat(KubernetesClients.fromEnvironment(Map.of(), tmp.resolve("no-token"))).isEmpty();
    }

    @Test
    void aKubeconfigThatIsNotThereIsRefusedByName() {
        Path missing = tmp.resolve("missing");
        assertThatThrownBy(() -> KubernetesClients.fromEnvironment(Map.of("KUBECONFIG", missing.toString()),
                tmp.resolve("no-token")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KUBECONFIG").hasMessageContaining(
                        missing.toString());
    }
}
