package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.ragline.ingest.reindex.ReindexRequest;
import io.ragline.ops.backup.BackupCadence;
import io.ragline.ops.backup.BackupRequest;
import io.ragline.ops.backup.BackupSettings;
import io.ragline.ops.deploy.DeployRequest;
import io.ragline.ops.deploy.DeploySettings;
import io.ragline.ops.dr.DrRequest;
import io.ragline.ops.restore.RestoreRequest;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.GlobalDataConverter;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every workflow input the READMEs show for the Temporal UI's <i>Start Workflow</i> form (a {@code json} block or an
 * inline {@code {...}} in a section that says "workflow type `X`") is accepted as the workers read it: a
 * {@code json/plain} payload through Temporal's default data converter (the workers configure none) into the
 * workflow's input record, then the record's validation. That converter's ObjectMapper keeps Jackson's
 * FAIL_ON_UNKNOWN_PROPERTIES, so a documented field the record lacks fails here as it fails the worker's
 * workflow task.
 */
class DocumentedWorkflowInputsTest {
    /** Workflow type, as the READMEs name it, to its one input record. */
    private static final Map<String, Class<?>> INPUTS = Map.of(
            "DeployWorkflow", DeployRequest.class,
            "BackupWorkflow", BackupRequest.class,
            "BackupSchedulerWorkflow", BackupCadence.class,
            "RestoreWorkflow", RestoreRequest.class,
            "DisasterRecoveryWorkflow", DrRequest.class,
            "ReindexWorkflow", ReindexRequest.class);
    private static final Pattern WORKFLOW_TYPE = Pattern.compile("[Ww]orkflow type `(\\w+)`");
    private static final Pattern INLINE_CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern FIELD = Pattern.compile("[a-z][A-Za-z0-9]*(\\.[a-z][A-Za-z0-9]*)*");
    private static final Pattern FIELD_AND_DEFAULT = Pattern.compile("`([a-z][A-Za-z0-9.]*)`\\s+`([^`]+)`");

    private static final DataConverter WORKERS = GlobalDataConverter.get();
    private static final ObjectMapper JSON = JacksonJsonPayloadConverter.newDefaultObjectMapper()
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS); // PT1H, as the README writes it

    @Test
    void everyDocumentedInputParsesIntoItsRecordAndPassesValidation() {
        List<Example> examples = new ArrayList<>(examples("deployment-workflows/README.md"));
        examples.addAll(examples("README.md"));

        Map<String, Integer> perType = new LinkedHashMap<>();
        examples.forEach(e -> perType.merge(e.workflowType(), 1, Integer::sum));
        assertThat(perType).as("documented inputs per workflow type").containsOnlyKeys(INPUTS.keySet());
        assertThat(examples).extracting(Example::json).contains("{}"); // "`{}` is a valid input" of BackupWorkflow

        for (Example example : examples) {
            Object input;
            try {
                input = parse(example, INPUTS.get(example.workflowType()));
            } catch (RuntimeException e) {
                throw new AssertionError(example + " is not what the worker accepts: " + e.getMessage(), e);
            }
            assertThatCode(() -> validate(input)).as(example.toString()).doesNotThrowAnyException();
        }
    }

    @Test
    void aFieldTheRecordLacksFailsTheCheck() {
        Example typo = new Example("README.md", "DisasterRecoveryWorkflow",
                "{\"mode\": \"DRILL\", \"source\": \"s3://b/p\", \"target\": \"dr\", \"taget\": \"dr\"}");
        assertThatThrownBy(() -> parse(typo, DrRequest.class)).hasStackTraceContaining("Unrecognized field \"taget\"");
    }

    @Test
    void theDeployExampleTargetsAWorkloadAndImageThatShip() throws IOException {
        List<Example> deploys = examples("deployment-workflows/README.md").stream()
                .filter(e -> e.workflowType().equals("DeployWorkflow")).toList();
        assertThat(deploys).isNotEmpty();
        for (Example example : deploys) {
            DeployRequest request = parse(example, DeployRequest.class);
            List<ObjectNode> rendered = null;
            try (Stream<Path> overlays = Files.list(Repo.path("k8s/overlays"))) {
                for (Path overlay : overlays.sorted().toList()) {
                    List<ObjectNode> objects = Kustomize.render(overlay);
                    if (objects.stream().anyMatch(o -> o.path("kind").asText().equals("Namespace")
                            && o.path("metadata").path("name").asText().equals(request.namespace()))) {
                        rendered = objects;
                    }
                }
            }
            assertThat(rendered).as("an overlay of k8s/ with namespace %s", request.namespace()).isNotNull();
            assertThat(rendered).as("Deployment or StatefulSet %s", request.service()).anyMatch(o ->
                    List.of("Deployment", "StatefulSet").contains(o.path("kind").asText())
                            && o.path("metadata").path("name").asText().equals(request.service()));
            String repository = request.image().replaceAll("[@:][^/]*$", "");
            assertThat(rendered.stream().flatMap(o -> o.findValuesAsText("image").stream())
                    .map(i -> i.replaceAll("[@:][^/]*$", ""))).as("image repositories of k8s/").contains(repository);
        }
    }

    @Test
    void deployFieldsAndDefaultsInTheProseAreTheRecordsOwn() {
        String prose = sectionOf("deployment-workflows/README.md", "DeployWorkflow").stream()
                .filter(p -> p.startsWith("Required:")).findFirst().orElseThrow(() ->
                        new AssertionError("DeployWorkflow's paragraph 'Required: ... Optional ...' not found"));
        List<String> fields = new ArrayList<>();
        Matcher code = INLINE_CODE.matcher(prose);
        while (code.find()) {
            if (FIELD.matcher(code.group(1)).matches()) {
                fields.add(code.group(1));
            }
        }
        assertThat(fields).contains("service", "image", "namespace", "strategy", "canarySteps", "analysis");
        for (String field : fields) {
            assertThat(resolves(DeployRequest.class, field)).as("documented field '%s' of DeployRequest", field).isTrue();
        }

        Map<String, String> defaults = new LinkedHashMap<>();
        Matcher pair = FIELD_AND_DEFAULT.matcher(prose);
        while (pair.find()) {
            defaults.put(pair.group(1), pair.group(2));
        }
        assertThat(defaults).as("documented defaults").containsKeys("canarySteps", "approvalTimeout");
        DeployRequest minimal = parse(new Example("test", "DeployWorkflow", """
                {"service": "search-api", "image": "ghcr.io/ragline/search-api:0.2.0", "namespace": "ragline",
                 "strategy": "ROLLING", "analysis": {}}"""), DeployRequest.class).withDefaults(DeploySettings.defaults());
        JsonNode filled = JSON.valueToTree(minimal);
        defaults.forEach((field, documented) -> {
            JsonNode actual = filled.at("/" + field.replace('.', '/'));
            assertThat(actual).as("default of %s", field).isEqualTo(documentedValue(documented));
        });
    }

    private record Example(String file, String workflowType, String json) {
    }

    /** Parses as the workers do. */
    private static <T> T parse(Example example, Class<T> type) {
        return WORKERS.fromPayload(payload(example.json()), type, type);
    }

    /** What the Temporal UI sends for a JSON input. */
    private static Payload payload(String json) {
        return Payload.newBuilder().putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
                .setData(ByteString.copyFromUtf8(json)).build();
    }

    /** The record's validation where it has one; else the checks the workflow makes before its first step. */
    private static void validate(Object input) {
        switch (input) {
            case DeployRequest r -> r.withDefaults(DeploySettings.defaults());
            case BackupRequest r -> r.withDefaults(BackupSettings.of("file:///var/backups/ragline"));
            // the record's constructor checks 'every' and 'runsPerHistory'; each run is a BackupWorkflow
            case BackupCadence r -> r.request().withDefaults(BackupSettings.of("file:///var/backups/ragline"));
            case RestoreRequest r -> assertThat(r.target()).as("RestoreWorkflow requires 'target'").isNotBlank();
            case DrRequest r -> {
                // DisasterRecoveryWorkflowImpl's 'validate' step
                assertThat(r.mode()).as("'mode'").isNotNull();
                assertThat(r.source()).as("'source'").isNotBlank();
                assertThat(r.target()).as("'target'").isNotBlank();
            }
            case ReindexRequest r -> assertThat(r.resume()).as("'resume' is internal (continue-as-new)").isNull();
            default -> throw new AssertionError("no validation for " + input.getClass());
        }
    }

    private static boolean resolves(Class<?> type, String path) {
        Class<?> current = type;
        for (String name : path.split("\\.")) {
            if (current == null || !current.isRecord()) {
                return false;
            }
            Class<?> next = null;
            for (RecordComponent c : current.getRecordComponents()) {
                if (c.getName().equals(name)) {
                    next = c.getType();
                }
            }
            if (next == null) {
                return false;
            }
            current = next;
        }
        return true;
    }

    private static JsonNode documentedValue(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception notJson) {
            return JSON.getNodeFactory().textNode(text); // PT1H and the like
        }
    }

    /** The inputs of every section that names its workflow type. */
    private static List<Example> examples(String file) {
        List<Example> out = new ArrayList<>();
        for (Section section : sections(Repo.read(Repo.path(file)))) {
            List<String> types = new ArrayList<>();
            Matcher m = WORKFLOW_TYPE.matcher(section.prose());
            while (m.find()) {
                if (!types.contains(m.group(1))) {
                    types.add(m.group(1));
                }
            }
            if (types.isEmpty()) {
                continue;
            }
            assertThat(types).as("%s, section '%s': one workflow type per section", file, section.heading()).hasSize(1);
            String type = types.getFirst();
            assertThat(INPUTS).as("%s documents workflow type %s: map it to its input record here", file, type)
                    .containsKey(type);
            section.jsonBlocks().forEach(json -> out.add(new Example(file, type, json)));
            Matcher code = INLINE_CODE.matcher(section.prose());
            while (code.find()) {
                String span = code.group(1).strip();
                if (span.startsWith("{\"") || span.equals("{}")) {
                    out.add(new Example(file, type, span));
                }
            }
        }
        return out;
    }

    private static List<String> sectionOf(String file, String workflowType) {
        for (Section s : sections(Repo.read(Repo.path(file)))) {
            if (s.heading().contains(workflowType)) {
                return Arrays.stream(s.prose().split("\n\n")).map(String::strip).filter(p -> !p.isEmpty()).toList();
            }
        }
        throw new AssertionError(file + " has no section for " + workflowType);
    }

    private record Section(String heading, String prose, List<String> jsonBlocks) {
    }

    /** Markdown split at its headings: the prose (paragraphs joined by blank lines) and the json fences. */
    private static List<Section> sections(String markdown) {
        List<Section> sections = new ArrayList<>();
        String heading = "";
        StringBuilder prose = new StringBuilder();
        List<String> blocks = new ArrayList<>();
        StringBuilder fence = null;
        boolean json = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.startsWith("```")) {
                if (fence == null) {
                    fence = new StringBuilder();
                    json = line.substring(3).strip().equals("json");
                } else {
                    if (json) {
                        blocks.add(fence.toString().strip());
                    }
                    fence = null;
                }
            } else if (fence != null) {
                fence.append(line).append('\n');
            } else if (line.startsWith("#")) {
                sections.add(new Section(heading, prose.toString(), List.copyOf(blocks)));
                heading = line;
                prose.setLength(0);
                blocks.clear();
            } else {
                prose.append(line.isBlank() ? "\n\n" : line + "\n");
            }
        }
        sections.add(new Section(heading, prose.toString(), List.copyOf(blocks)));
        return sections;
    }
}
