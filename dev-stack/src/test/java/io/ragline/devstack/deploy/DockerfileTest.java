package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ragline.core.config.Env;
import java.util.Arrays;
import java.util.List;
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
