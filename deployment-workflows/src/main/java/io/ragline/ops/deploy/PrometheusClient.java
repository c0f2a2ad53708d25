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
     * sample or the sample is NaN (a ratio of zero rates, or a quantile of no requests: no traffic).
     *
     * @throws BadQuery    when Prometheus refuses the expression itself (HTTP 400 {@code bad_data})
     * @throws IOException when Prometheus cannot be reached or fails otherwise (worth a retry)
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
        if (response.statusCode() == 400 && "bad_data".equals(body.path("errorType").asText())) {
            throw new BadQuery("Prometheus rejected the query: " + body.path("error").asText() + ": " + query);
        }
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IOException("Prometheus query failed (HTTP " + response.statusCode() + "): "
                    + body.path("errorType").asText() + " " + body.path("error").asText());
        }
        JsonNode data = body.path("data");
        if (data.path("result").size() > 1 && "vector".equals(data.path("resultType").asText())) {
            // which of several series would be "the" value? refuse rather than pick one
            throw new BadQuery("the query returned " + data.path("result").size()
                    + " series; a gate query must return one (aggregate it, e.g. with sum): " + query);
        }
        JsonNode value = switch (data.path("resultType").asText()) {
            case "scalar" -> data.path("result");
            case "vector" -> data.path("result").isEmpty() ? null : data.path("result").get(0).path("value");
            default -> throw new IOException("Prometheus returned a " + data.path("resultType").asText()
                    + ", expected a vector or scalar for: " + query);
        };
        if (value == null || !value.isArray() || value.size() < 2) {
            return OptionalDouble.empty();
        }
        double v = sample(value.get(1).asText());
        return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** Prometheus sends sample values as strings, infinities as Go writes them ({@code +Inf}, {@code -Inf}). */
    private static double sample(String text) throws IOException {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IOException("Prometheus returned a sample that is not a number: '" + text + "'", e);
                }
            }
        };
    }

    /** Prometheus refused the expression (a typo in a custom query, a broken selector): no retry helps. */
    public static final class BadQuery extends IOException {
        public BadQuery(String message) {
            super(message);
        }
    }
}
