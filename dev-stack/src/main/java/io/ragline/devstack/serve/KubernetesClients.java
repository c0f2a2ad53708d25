package io.ragline.devstack.serve;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes client of {@code serve workflows}: in a pod, its service account's (in-cluster
 * config); elsewhere the first file of {@code KUBECONFIG} (an ops worker run beside a cluster, or
 * against the DR cluster after a region is lost); neither: none, and deploy and the Kubernetes DR
 * environment answer {@code NotConfigured}.
 */
public final class KubernetesClients {
    public static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    private KubernetesClients() {
    }

    public static Optional<KubernetesClient> fromEnvironment(Map<String, String> env, Path serviceAccountToken) {
        if (Files.isReadable(serviceAccountToken)) {
            return Optional.of(new KubernetesClientBuilder().build());
        }
        String kubeconfig = env.get("KUBECONFIG");
        if (kubeconfig == null || kubeconfig.isBlank()) {
            return Optional.empty();
        }
        Path file = Path.of(kubeconfig.split(File.pathSeparator)[0].strip());
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("KUBECONFIG names " + file + ", which is not a readable file");
        }
        // read here, not through fabric8's auto-configuration, which looks at this JVM's environment
        // rather than the one the process was given
        return Optional.of(new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(file.toFile())).build());
    }
}
