package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.ragline.core.config.Env;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The one image: multi-stage, non-root, health-checked, DESIGN.md's JVM flags, Env-only config. */
class DockerfileTest {
    static final String DOCKERFILE = Repo.read(Repo.path("Dockerfile"));

    @Test
    void multiStageNonRootWithHealthcheckAndTheDesignJvmFlags() {
        List<String> from = DOCKERFILE.lines().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(from).hasSize(2);
        assertThat(from.getFirst()).endsWith(" AS build");
        assertThat(DOCKERFILE).contains("./mvnw -B -q -DskipTests -pl dev-stack -am package");
        assertThat(DOCKERFILE).containsPattern("(?m)^USER 10001:10001$");
        assertThat(DOCKERFILE).containsPattern("(?m)^HEALTHCHECK .*\\n.*/health/ready");
        assertThat(DOCKERFILE).contains("\"--add-modules\", \"jdk.incubator.vector\"", "\"--enable-native-access=ALL-UNNAMED\"",
                "\"--sun-misc-unsafe-memory-access=allow\"", "\"-Dai.djl.offline=true\"",
                "\"io.ragline.devstack.cli.RaglineCli\"", "/app/ragline-dev-stack.jar:/app/lib/*");
        assertThat(DOCKERFILE).contains("COPY --from=build /src/dev-stack/target/lib/ /app/lib/");
    }

    /** Heap sizing flags: on the command line they win over JAVA_TOOL_OPTIONS, which the JVM reads first. */
    static final Pattern HEAP_FLAG = Pattern.compile("-Xm[xs]\\d|-XX:[+-]?\\w*RAM\\w*=|-XX:(Max|Initial|Min)HeapSize=");
    static final Pattern MAX_RAM_PERCENTAGE = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(?:\\.\\d+)?)");

    static String entrypoint() {
        Matcher m = Pattern.compile("(?ms)^ENTRYPOINT \\[(.*?)\\]\\s*$").matcher(DOCKERFILE);
        assertThat(m.find()).as("ENTRYPOINT in exec form").isTrue();
        return m.group(1);
    }

    /** The image's JAVA_TOOL_OPTIONS (an ENV instruction, so that every service can replace it). */
    static String imageJavaToolOptions() {
        Matcher m = Pattern.compile("(?m)^(?:ENV\\s+)?\\s*JAVA_TOOL_OPTIONS=(\"[^\"]*\"|\\S+)").matcher(DOCKERFILE);
        assertThat(m.find()).as("the Dockerfile sets JAVA_TOOL_OPTIONS in an ENV instruction").isTrue();
        return m.group(1).replace("\"", "");
    }

    static OptionalInt heapShare(String javaToolOptions) {
        Matcher m = MAX_RAM_PERCENTAGE.matcher(javaToolOptions);
        return m.find() ? OptionalInt.of((int) Double.parseDouble(m.group(1))) : OptionalInt.empty();
    }

    @Test
    void theHeapShareIsADefaultServicesCanOverrideNotAnEntrypointFlag() {
        assertThat(HEAP_FLAG.matcher(entrypoint()).find()).as("a heap flag in the ENTRYPOINT overrides every JAVA_TOOL_OPTIONS: "
                + entrypoint()).isFalse();
        assertThat(DOCKERFILE).as("nor anywhere else on a command line (JDK_JAVA_OPTIONS, CMD)")
                .doesNotContainPattern("(?m)^(CMD|ENV\\s+JDK_JAVA_OPTIONS|\\s*JDK_JAVA_OPTIONS=).*-XX:MaxRAMPercentage");
        assertThat(heapShare(imageJavaToolOptions())).as("the image's default heap share").isPresent();
    }

    /**
     * What each role runs with: its own JAVA_TOOL_OPTIONS where compose/Kubernetes set one (which
     * replaces the image's whole value, so it must state the heap share itself), else the image's.
     */
    @Test
    void composeAndEveryOverlayGiveEachRoleItsHeapShareAndTheEmbedderLessThanTheDefault() {
        int imageDefault = heapShare(imageJavaToolOptions()).orElseThrow();
        Map<String, Integer> compose = new TreeMap<>();
        for (String s : ComposeTest.RAGLINE_SERVICES) {
            JsonNode svc = ComposeTest.services().path(s);
            String role = svc.path("command").get(1).asText();
            String options = ComposeTest.environment(svc).get("JAVA_TOOL_OPTIONS");
            int share = options == null ? imageDefault : heapShare(options).orElseThrow(
                    () -> new AssertionError("compose " + s + ": JAVA_TOOL_OPTIONS without -XX:MaxRAMPercentage drops the image's heap share"));
            Integer previous = compose.put(role, share);
            assertThat(previous == null || previous == share).as("compose services of role " + role + " agree").isTrue();
        }
        assertThat(compose.keySet()).containsExactlyInAnyOrder("ingest", "embedder", "search", "workflows");
        assertThat(compose.get("embedder")).as("embedder: ONNX Runtime's memory is native").isLessThan(imageDefault);
        assertThat(compose.get("search")).as("search: Lucene's index lives in the page cache").isLessThan(imageDefault);
        for (String name : Overlay.NAMES) {
            Map<String, Integer> k8s = new TreeMap<>();
            for (Container c : KubernetesManifestsTest.raglineContainers(Overlay.of(name))) {
                String options = c.getEnv().stream().filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS"))
                        .map(EnvVar::getValue).findFirst().orElse(null);
                int share = options == null ? imageDefault : heapShare(options).orElseThrow(
                        () -> new AssertionError(name + " " + c.getName() + ": JAVA_TOOL_OPTIONS without -XX:MaxRAMPercentage"));
                k8s.put(c.getArgs().get(1), share);
            }
            assertThat(k8s).as(name + ": heap share per role, as compose gives it").isEqualTo(compose);
        }
    }

    @Test
    void theBuildStageCopiesEveryModulePomOfTheReactor() {
        // Maven loads every <module> of the parent, even with -pl: a missing pom fails the image build
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Repo.read(Repo.path("pom.xml")));
        int modules = 0;
        while (m.find()) {
            assertThat(DOCKERFILE).as("Dockerfile copies %s/pom.xml", m.group(1)).contains("COPY " + m.group(1) + "/pom.xml ");
            modules++;
        }
        assertThat(modules).isGreaterThanOrEqualTo(6);
    }

    @Test
    void imageEnvironmentIsOnlyEnvVariables() {
        Matcher m = Pattern.compile("(?m)^\\s*(?:ENV\\s+)?(RAGLINE_\\w+)=").matcher(DOCKERFILE);
        List<String> allowed = Arrays.stream(Env.values()).map(Enum::name).toList();
        int found = 0;
        while (m.find()) {
            assertThat(allowed).contains(m.group(1));
            found++;
        }
        assertThat(found).isEqualTo(3);
        String ignore = Repo.read(Repo.path(".dockerignore"));
        assertThat(ignore).contains("**/target/", "data/", ".git/");
    }
}
