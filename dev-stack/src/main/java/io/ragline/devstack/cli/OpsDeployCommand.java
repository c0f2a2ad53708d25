package io.ragline.devstack.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ragline.ops.deploy.DeployRequest;
import io.ragline.ops.deploy.DeployResult;
import io.ragline.ops.deploy.DeploySettings;
import io.ragline.ops.deploy.DeployWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Run DeployWorkflow with a JSON input, the one the Temporal UI's Start Workflow form takes "
                + "(deployment-workflows/README.md), under workflow id deploy/<namespace>/<service>: rolling, "
                + "blue-green or canary with analysis gates, rolled back on its own when a gate fails.",
                "Exits 0 when the new image serves, 1 with the reason when the deployment was rolled back or failed."})
final class OpsDeployCommand implements Callable<Integer> {
    /** The mapper of Temporal's default JSON converter, which the ops worker reads its input with. */
    private final ObjectMapper json = JacksonJsonPayloadConverter.newDefaultObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    OpsCommand.Connection connection;

    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "The DeployWorkflow input as JSON (- reads standard input).")
    String input;

    @Option(names = "--image", description = "Replaces the input's image (e.g. the digest CI just pushed).")
    String image;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DeployRequest request;
        try {
            request = read();
            request.withDefaults(DeploySettings.defaults()); // refuse bad input here, before anything starts
        } catch (IOException | IllegalArgumentException e) {
            err.println("error: " + input + ": " + e.getMessage());
            return 1;
        }
        var outcome = OpsCommand.follow(connection, DeployWorkflow.class,
                DeployWorkflow.workflowId(request.namespace(), request.service()),
                stub -> WorkflowClient.start(stub::deploy, request), DeployWorkflow::status, DeployResult.class, out, err);
        DeployResult result = outcome.result();
        if (result == null) {
            return 1;
        }
        out.printf("%s: %s in %s now runs %s (was %s, %s)%n", result.outcome(), result.service(), result.namespace(),
                result.image(), result.previousImage(), result.strategy());
        return 0;
    }

    private DeployRequest read() throws IOException {
        String text;
        if ("-".equals(input)) {
            text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } else {
            text = Files.readString(Path.of(input));
        }
        JsonNode tree;
        try {
            tree = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new IllegalArgumentException("the input must be one JSON object");
        }
        if (image != null) {
            object.put("image", image);
        }
        try {
            return json.treeToValue(object, DeployRequest.class);
        } catch (JsonProcessingException e) {
            // e.g. a field DeployRequest does not have: the worker would refuse it the same way
            throw new IllegalArgumentException(e.getOriginalMessage());
        }
    }
}
