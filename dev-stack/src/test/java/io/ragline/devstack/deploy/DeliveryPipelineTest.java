package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.ragline.devstack.cli.RaglineCli;
import io.ragline.ops.deploy.DeployRequest;
import io.ragline.ops.deploy.DeploySettings;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.GlobalDataConverter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * {@code .github/workflows/delivery.yml} as far as it can be checked without GitHub: it parses, its jobs run in the
 * order the issue asks for (build, image scan and push, staging, approval, production), every file its {@code run:}
 * steps name exists, every {@code ./ragline} command parses with the CLI, every DeployWorkflow input it deploys is
 * accepted by the worker's converter and {@code DeployRequest.withDefaults} and targets a workload of its overlay,
 * and the smoke test script passes or fails as it should against an HTTP server.
 */
class DeliveryPipelineTest {
    private static final Path WORKFLOW = Repo.path(".github/workflows/delivery.yml");
    /** GitHub environment to the k8s overlay it deploys. */
    private static final Map<String, String> OVERLAYS = Map.of("staging", "staging", "production", "prod");
    private static final Pattern FOR_LOOP = Pattern.compile("for (\\w+) in (\\S+);");
    private static final String IMAGE = "ghcr.io/ragline/ragline@sha256:" + "0".repeat(64);

    @Test
    void jobsRunInDeliveryOrderWithAnApprovalBeforeProduction() {
        Map<String, Object> jobs = map(workflow().get("jobs"));
        assertThat(jobs).containsOnlyKeys("build", "image", "deploy-staging", "deploy-production");
        assertThat(needs(jobs, "image")).containsExactly("build");
        assertThat(needs(jobs, "deploy-staging")).containsExactly("image");
        assertThat(needs(jobs, "deploy-production")).contains("deploy-staging");
        assertThat(map(jobs.get("deploy-staging")).get("environment")).isEqualTo("staging");
        assertThat(map(jobs.get("deploy-production")).get("environment")).isEqualTo("production");

        List<Map<String, Object>> build = steps(jobs, "build");
        assertThat(runs(build)).anyMatch(r -> r.contains("bash .ci/run"));
        assertThat(Repo.read(Repo.path(".ci/run"))).contains("./mvnw -B verify");
        assertThat(build).anyMatch(s -> String.valueOf(s.get("uses")).startsWith("actions/upload-artifact@")
                && String.valueOf(map(s.get("with")).get("path")).contains("target/bom.json"));

        List<Map<String, Object>> image = steps(jobs, "image");
        Map<String, Object> scan = image.stream().filter(s -> String.valueOf(s.get("uses")).startsWith("aquasecurity/trivy-action@"))
                .findFirst().map(s -> map(s.get("with"))).orElseThrow(() -> new AssertionError("no trivy scan"));
        assertThat(scan.get("severity")).isEqualTo("HIGH,CRITICAL");
        assertThat(scan.get("exit-code")).isEqualTo("1");
        int scanAt = indexOf(image, "aquasecurity/trivy-action@");
        int pushAt = image.indexOf(image.stream().filter(s -> Boolean.TRUE.equals(map(s.get("with")).get("push")))
                .findFirst().orElseThrow(() -> new AssertionError("no push")));
        assertThat(scanAt).as("the scan comes before the push").isLessThan(pushAt);
        assertThat(image).anyMatch(s -> "Dockerfile".equals(map(s.get("with")).get("file")));
        assertThat(Repo.path("Dockerfile")).isRegularFile();

        for (String job : List.of("build", "image", "deploy-staging", "deploy-production")) {
            for (Map<String, Object> step : steps(jobs, job)) {
                if (step.get("uses") != null) {
                    assertThat(String.valueOf(step.get("uses"))).as("%s: actions are pinned", job).matches("[\\w.-]+/[\\w.-]+@[\\w.-]+");
                }
            }
        }
    }

    @Test
    void everyFileARunStepNamesExists() throws IOException {
        List<String> checked = new ArrayList<>();
        for (String run : allRuns()) {
            for (String token : run.split("\\s+")) {
                String path = token.replaceAll("^[\"']+|[\"';]+$", "");
                if (path.contains("$") || path.isEmpty() || !looksLikeRepoPath(path)) {
                    continue;
                }
                String relative = path.startsWith("./") ? path.substring(2) : path;
                assertThat(matches(relative)).as("'%s' in a run step of delivery.yml", path).isNotEmpty();
                checked.add(relative);
            }
            // a command that runs a repository script directly needs its executable bit
            for (String line : run.split("\n")) {
                String first = line.strip().split("\\s+")[0];
                if (looksLikeRepoPath(first) && !first.contains("*")) {
                    assertThat(Files.isExecutable(Repo.path(first.replaceFirst("^\\./", ""))))
                            .as("%s is executable", first).isTrue();
                }
            }
        }
        assertThat(checked).contains(".ci/run", "ragline", "deploy/smoke-test.sh", "deploy/temporal-port-forward.sh",
                "deploy/staging/*.json", "deploy/production/*.json");
    }

    @Test
    void everyDeployInputIsAcceptedAndTargetsAWorkloadOfItsOverlay() throws IOException {
        Map<String, Object> jobs = map(workflow().get("jobs"));
        int deployed = 0;
        for (String job : List.of("deploy-staging", "deploy-production")) {
            String environment = String.valueOf(map(jobs.get(job)).get("environment"));
            String overlay = OVERLAYS.get(environment);
            List<ObjectNode> rendered = Kustomize.render(Repo.path("k8s/overlays/" + overlay));
            String namespace = rendered.stream().filter(o -> o.path("kind").asText().equals("Namespace"))
                    .map(o -> o.path("metadata").path("name").asText()).findFirst().orElseThrow();
            for (String run : runs(steps(jobs, job))) {
                for (List<String> args : ragline(run)) {
                    assertThat(args.subList(0, 2)).as("%s: %s", job, args).containsExactly("ops", "deploy");
                    assertThat(args).contains("--image", "--input");
                    new CommandLine(new RaglineCli()).parseArgs(args.toArray(String[]::new)); // throws on an unknown option
                    Path input = Repo.path(args.get(args.indexOf("--input") + 1));
                    assertThat(input.toString()).as("%s deploys from deploy/%s/", job, environment)
                            .contains("/deploy/" + environment + "/");
                    DeployRequest request = parse(Repo.read(input), IMAGE);
                    DeployRequest filled = request.withDefaults(DeploySettings.defaults());
                    assertThat(filled.image()).isEqualTo(IMAGE);
                    assertThat(request.namespace()).as(input.toString()).isEqualTo(namespace);
                    assertThat(rendered).as("%s: a Deployment or StatefulSet %s in k8s/overlays/%s", input,
                            request.service(), overlay).anyMatch(o -> List.of("Deployment", "StatefulSet")
                            .contains(o.path("kind").asText()) && o.path("metadata").path("name").asText()
                            .equals(request.service()));
                    deployed++;
                }
            }
        }
        assertThat(deployed).as("deploy inputs across staging and production").isGreaterThanOrEqualTo(8);
    }

    @Test
    void smokeTestPassesOnlyOnA200WithResults() throws Exception {
        assertThat(smoke(200, "{\"results\":[{\"documentId\":\"a.md\"}],\"offset\":0}")).isZero();
        assertThat(smoke(200, "{\"results\":[],\"offset\":0,\"nextOffset\":null}")).isEqualTo(1);
        assertThat(smoke(401, "{\"type\":\"https://ragline.io/problems/unauthorized\"}")).isEqualTo(1);
    }

    /** Runs deploy/smoke-test.sh against a server that answers POST /v1/search with status and body. */
    private static int smoke(int status, String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> seen = new CopyOnWriteArrayList<>();
        server.createContext("/v1/search", exchange -> {
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Authorization") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", Repo.path("deploy/smoke-test.sh").toString(),
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/").redirectErrorStream(true);
            pb.environment().put("RAGLINE_API_KEY", "rk_test");
            pb.environment().put("SMOKE_QUERY", "say \"hi\"");
            pb.environment().put("SMOKE_RETRIES", "0");
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(seen).as(output).containsExactly("POST Bearer rk_test {\"query\": \"say \\\"hi\\\"\", \"topK\": 3}");
            return p.exitValue();
        } finally {
            server.stop(0);
        }
    }

    private static DeployRequest parse(String json, String image) throws IOException {
        ObjectNode tree = (ObjectNode) Repo.JSON.readTree(json);
        tree.put("image", image); // what --image does
        Payload payload = Payload.newBuilder().putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
                .setData(ByteString.copyFromUtf8(tree.toString())).build();
        return GlobalDataConverter.get().fromPayload(payload, DeployRequest.class, DeployRequest.class);
    }

    /** The arguments of each {@code ./ragline} command of a run script, with a for loop's variable expanded. */
    private static List<List<String>> ragline(String run) throws IOException {
        List<List<String>> commands = new ArrayList<>();
        Matcher loop = FOR_LOOP.matcher(run);
        String variable = null;
        List<Path> values = List.of();
        if (loop.find()) {
            variable = loop.group(1);
            values = matches(loop.group(2));
        }
        for (String line : run.replace("\\\n", " ").split("\n")) {
            String command = line.strip();
            if (!command.startsWith("./ragline ")) {
                continue;
            }
            List<String> template = List.of(command.substring("./ragline ".length()).split("\\s+"));
            List<Path> each = variable != null && command.contains("$" + variable) ? values : List.of(Path.of(""));
            for (Path value : each) {
                List<String> args = new ArrayList<>();
                for (String t : template) {
                    String a = t.replace("\"", "");
                    if (variable != null) {
                        a = a.replace("$" + variable, Repo.ROOT.relativize(value).toString());
                    }
                    args.add(a.replace("$IMAGE", IMAGE));
                }
                commands.add(args);
            }
        }
        return commands;
    }

    private static boolean looksLikeRepoPath(String token) {
        if (token.startsWith("./") || token.endsWith(".sh")) {
            return true;
        }
        int slash = token.indexOf('/');
        return slash > 0 && Files.isDirectory(Repo.path(token.substring(0, slash)));
    }

    /** Files of the repository matching a relative path or glob. */
    private static List<Path> matches(String glob) throws IOException {
        String relative = glob.startsWith("./") ? glob.substring(2) : glob;
        if (!relative.contains("*")) {
            return Files.exists(Repo.path(relative)) ? List.of(Repo.path(relative)) : List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + relative);
        Path dir = Repo.path(relative.substring(0, Math.max(0, relative.lastIndexOf('/', relative.indexOf('*')))));
        try (Stream<Path> files = Files.walk(dir, 1)) {
            return files.filter(f -> matcher.matches(Repo.ROOT.relativize(f))).sorted().toList();
        }
    }

    private static Map<String, Object> workflow() {
        Map<String, Object> workflow = new Yaml().load(Repo.read(WORKFLOW));
        assertThat(workflow).containsKeys("name", "jobs");
        return workflow;
    }

    private static List<String> allRuns() {
        Map<String, Object> jobs = map(workflow().get("jobs"));
        List<String> runs = new ArrayList<>();
        jobs.keySet().forEach(job -> runs.addAll(runs(steps(jobs, job))));
        return runs;
    }

    private static List<String> runs(List<Map<String, Object>> steps) {
        return steps.stream().map(s -> s.get("run")).filter(r -> r != null).map(String::valueOf).toList();
    }

    private static int indexOf(List<Map<String, Object>> steps, String usesPrefix) {
        for (int i = 0; i < steps.size(); i++) {
            if (String.valueOf(steps.get(i).get("uses")).startsWith(usesPrefix)) {
                return i;
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> steps(Map<String, Object> jobs, String job) {
        Object steps = map(jobs.get(job)).get("steps");
        assertThat(steps).as("steps of job %s", job).isInstanceOf(List.class);
        return (List<Map<String, Object>>) steps;
    }

    private static List<String> needs(Map<String, Object> jobs, String job) {
        Object needs = map(jobs.get(job)).get("needs");
        return needs instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of(String.valueOf(needs));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
