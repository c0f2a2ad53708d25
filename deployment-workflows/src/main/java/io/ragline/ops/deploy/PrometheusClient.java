package io.ragline.ops.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalDouble;

/** The one call analysis needs from Prometheus's HTTP API: an instant query of a scalar-valued expression. */
public final class PrometheusClient {
    private final HttpClient http;
    private final ObjectMapper mapper = new ObjectMapper();

    public PrometheusClient(HttpClient http) {
        this.http = http;
    }

    /**
     * Evaluates {@code query} now ({@code GET /api/v1/query}). Empty when the result holds no
     * sample or the sample is NaN (a ratio of zero rates: no traffic).
     */
    public OptionalDouble query(String baseUrl, String query) throws IOException, InterruptedException {
        String url = baseUrl.replaceAll("/+$", "") + "/api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = mapper.readTree(response.body());
        } catch (IOException e) {
            throw new IOException("Prometheus answered HTTP " + response.statusCode() + " with no JSON", e);
        }
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IOException("Prometheus query failed (HTTP " + response.statusCode() + "): "
                    + body.path("errorType").asText() + " " + body.path("error").asText());
        }
        JsonNode data = body.path("data");
        JsonNode value = switch (data.path("resultType").asText()) {
            case "scalar" -> data.path("result");
            case "vector" -> data.path("result").isEmpty() ? null : data.path("result").get(0).path("value");
            default -> throw new IOException("Prometheus returned a " + data.path("resultType").asText()
                    + ", expected a vector or scalar for: " + query);
        };
        if (value == null || !value.isArray() || value.size() < 2) {
            return OptionalDouble.empty();
        }
        double v = Double.parseDouble(value.get(1).asText()); // Prometheus sends sample values as strings
        return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
}
