package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The SBOM that {@code ./mvnw package} writes (CycloneDX, root {@code target/bom.json}) describes what the image
 * ships: every jar of {@code dev-stack/target/lib} (the image's {@code /app/lib}) and no test-only library. An IT
 * because both files exist only after {@code package}.
 */
class SbomIT {
    private static final Path BOM = Repo.path("target/bom.json");
    private static final Path LIB = Repo.path("dev-stack/target/lib");

    @Test
    void listsEveryRuntimeJarAndNoTestLibrary() throws IOException {
        assertThat(BOM).as("the SBOM: `./mvnw package` from the repository root writes it, online only "
                + "(Maven skips the CycloneDX plugin under -o)").isRegularFile();
        JsonNode bom = Repo.JSON.readTree(BOM.toFile());
        assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");

        Set<String> names = new TreeSet<>();
        Set<String> jarNames = new TreeSet<>();
        for (JsonNode c : bom.path("components")) {
            names.add(c.path("name").asText());
            jarNames.add(c.path("name").asText() + "-" + c.path("version").asText());
        }
        assertThat(names).contains("lucene-core", "kafka-streams", "kafka-clients", "temporal-sdk", "onnxruntime",
                "onnxruntime-engine", "javalin", "postgresql", "kubernetes-client", "s3", "picocli",
                "ragline-core", "ragline-search-api", "ragline-deployment-workflows");
        assertThat(names).as("test-scope libraries").doesNotContain("junit-jupiter", "junit-jupiter-api",
                "assertj-core", "awaitility", "kubernetes-server-mock", "mockwebserver3", "kafka-streams-test-utils");

        List<String> shipped;
        try (Stream<Path> jars = Files.list(LIB)) {
            shipped = jars.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
        }
        assertThat(shipped).as("dev-stack/target/lib").hasSizeGreaterThan(100);
        // copy-dependencies names a jar artifactId-version[-classifier].jar
        assertThat(shipped).as("jars the image ships that the SBOM lacks").allSatisfy(jar -> {
            String base = jar.substring(0, jar.length() - ".jar".length());
            assertThat(jarNames.contains(base) || jarNames.stream().anyMatch(k -> base.startsWith(k + "-")))
                    .as(jar).isTrue();
        });
    }
}
