package io.ragline.devstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.json.Json;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Search the index through the REST API (POST /v1/search) and print the results.")
final class SearchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "QUERY", description = "What to search for.")
    String query;

    @Option(names = {"-k", "--top-k"}, defaultValue = "5", description = "Results to return, 1-100 (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--mode", defaultValue = "hybrid",
            description = "hybrid (BM25 + vectors, fused), keyword or vector (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--tenant", defaultValue = "${env:RAGLINE_TENANT}",
            description = "Tenant to search (RAGLINE_TENANT; default: the API key's own). Only admin keys may name another.")
    String tenant;

    @picocli.CommandLine.Mixin
    ApiKeyOptions keyOptions;

    @Option(names = "--url", defaultValue = "${env:RAGLINE_URL:-http://127.0.0.1:8080}",
            description = "Search API base URL (RAGLINE_URL, default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--json", description = "Print the raw JSON response.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", query);
        body.put("topK", topK);
        body.put("mode", mode);
        String key = keyOptions.require();
        HttpRequest.Builder builder = HttpRequest.newBuilder(url.resolve("/v1/search"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(Json.writeString(body)));
        if (tenant != null && !tenant.isBlank()) {
            builder.header("X-Ragline-Tenant", tenant);
        }
        HttpRequest request = builder.build();
        HttpResponse<String> response;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            System.err.println("error: no search API at " + url + " (is `./ragline up` running?)");
            return 1;
        }
        JsonNode answer = Json.mapper().readTree(response.body());
        if (response.statusCode() != 200) {
            System.err.printf("error: %d %s: %s%n", response.statusCode(), answer.path("title").asText(),
                    answer.path("detail").asText(response.body()));
            return 1;
        }
        if (json) {
            System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(answer));
            return 0;
        }
        JsonNode results = answer.path("results");
        if (results.isEmpty()) {
            System.out.println("no results (" + answer.path("tookMs").asLong() + " ms)");
            return 0;
        }
        int rank = 1;
        for (JsonNode r : results) {
            System.out.printf("%2d. %-40s score %.4f  v%d%n", rank++, r.path("documentId").asText(),
                    r.path("score").asDouble(), r.path("version").asLong());
            if (!r.path("title").asText().isEmpty()) {
                System.out.println("    " + r.path("title").asText());
            }
            System.out.println("    " + terminalText(r.path("snippet").asText()).replaceAll("\\s+", " "));
        }
        System.out.println("(" + results.size() + " results, " + answer.path("tookMs").asLong() + " ms)");
        return 0;
    }

    /** The API's snippet is HTML (escaped text, matches in em): a terminal shows matches in *stars*. */
    static String terminalText(String html) {
        return html.replace("<em>", "*").replace("</em>", "*").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&quot;", "\"").replace("&#x27;", "'").replace("&#x2F;", "/").replace("&amp;", "&");
    }
}
