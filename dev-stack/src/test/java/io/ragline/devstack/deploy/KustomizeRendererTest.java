package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The built-in renderer: agrees with real Kustomize where one is installed, and its rules work. */
class KustomizeRendererTest {

    static Stream<String> overlays() {
        return Overlay.NAMES.stream();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void builtInRendererAgreesWithKustomize(String name) {
        var external = Kustomize.externalCommand();
        assumeTrue(external.isPresent(), "no kustomize/kubectl on PATH: only the built-in renderer is used");
        Path dir = Repo.path("k8s/overlays/" + name);
        Map<String, JsonNode> kustomize = byId(Kustomize.renderExternal(external.get(), dir));
        Map<String, JsonNode> builtIn = byId(Kustomize.renderBuiltIn(dir));
        assertThat(builtIn.keySet()).isEqualTo(kustomize.keySet());
        kustomize.forEach((id, expected) -> assertThat(builtIn.get(id)).as(id).isEqualTo(expected));
    }

    @Test
    void baseRendersWithoutNamespace() {
        List<ObjectNode> base = Kustomize.renderBuiltIn(Repo.path("k8s/base"));
        assertThat(base).isNotEmpty().allSatisfy(o -> assertThat(o.path("metadata").has("namespace")).isFalse());
    }

    private static Map<String, JsonNode> byId(List<ObjectNode> objects) {
        Map<String, JsonNode> map = new TreeMap<>();
        for (ObjectNode o : objects) {
            String id = o.path("kind").asText() + "/" + o.path("metadata").path("namespace").asText("") + "/"
                    + o.path("metadata").path("name").asText();
            assertThat(map.put(id, o)).as("duplicate " + id).isNull();
        }
        return map;
    }

    @Test
    void strategicMergeMergesNamedListsAndJsonPatchEditsPaths(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("base"));
        Files.writeString(dir.resolve("base/kustomization.yaml"), "resources: [deploy.yaml]\n");
        Files.writeString(dir.resolve("base/deploy.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: app}
                spec:
                  replicas: 2
                  template:
                    spec:
                      containers:
                        - name: app
                          image: example/app:1
                          env: [{name: A, value: "1"}, {name: B, value: "2"}]
                ---
                apiVersion: example.com/v1
                kind: Thing
                metadata: {name: thing}
                spec:
                  items: [{name: x, v: 1}, {name: y, v: 2}]
                ---
                apiVersion: example.com/v1
                kind: Thing
                metadata: {name: gone}
                """);
        Files.writeString(dir.resolve("kustomization.yaml"), """
                namespace: team
                resources: [base]
                images: [{name: example/app, newTag: "2"}]
                patches:
                  - patch: |-
                      apiVersion: apps/v1
                      kind: Deployment
                      metadata: {name: app}
                      spec:
                        replicas: null
                        template:
                          spec:
                            containers:
                              - name: app
                                env: [{name: B, value: "3"}, {name: C, value: "4"}]
                  - patch: |-
                      apiVersion: example.com/v1
                      kind: Thing
                      metadata: {name: thing}
                      spec:
                        items: [{name: y, v: 5}]
                  - target: {kind: Deployment, name: app}
                    patch: |-
                      - op: add
                        path: /metadata/labels
                        value: {tier: web}
                  - patch: |-
                      $patch: delete
                      apiVersion: example.com/v1
                      kind: Thing
                      metadata: {name: gone}
                """);
        List<ObjectNode> out = Kustomize.renderBuiltIn(dir);
        assertThat(out).as("$patch: delete removes its object").hasSize(2)
                .noneMatch(o -> o.path("metadata").path("name").asText().equals("gone"));
        ObjectNode deploy = out.getFirst();
        assertThat(deploy.path("metadata").path("namespace").asText()).isEqualTo("team");
        assertThat(deploy.path("metadata").path("labels").path("tier").asText()).isEqualTo("web");
        assertThat(deploy.path("spec").has("replicas")).isFalse();
        JsonNode container = deploy.path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(container.path("image").asText()).isEqualTo("example/app:2");
        // strategic merge by name: the patch's elements first, in its order, then the rest (as Kubernetes does)
        assertThat(container.path("env").toString()).isEqualTo(
                "[{\"name\":\"B\",\"value\":\"3\"},{\"name\":\"C\",\"value\":\"4\"},{\"name\":\"A\",\"value\":\"1\"}]");
        // a custom resource gets a JSON merge patch: its lists are replaced, not merged
        assertThat(out.get(1).path("spec").path("items").toString()).isEqualTo("[{\"name\":\"y\",\"v\":5}]");
        Kustomize.externalCommand().ifPresent(cmd -> assertThat(byId(out)).isEqualTo(byId(Kustomize.renderExternal(cmd, dir))));
    }

    @Test
    void unsupportedFeaturesAndDanglingTargetsAreRefused(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: []\ncomponents: [x]\n");
        assertThatThrownBy(() -> Kustomize.renderBuiltIn(dir)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("components");
        Files.writeString(dir.resolve("kustomization.yaml"), """
                resources: []
                patches:
                  - target: {kind: Deployment, name: missing}
                    patch: |-
                      - op: replace
                        path: /spec/replicas
                        value: 1
                """);
        assertThatThrownBy(() -> Kustomize.renderBuiltIn(dir)).hasMessageContaining("matches no resource");
    }
}
