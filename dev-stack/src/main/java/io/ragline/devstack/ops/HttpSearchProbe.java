package io.ragline.devstack.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.json.Json;
import io.ragline.ops.backup.SearchProbe;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Probe queries through the search API itself ({@code POST /v1/search}, hybrid), as applications see it. */
public final class HttpSearchProbe implements SearchProbe {
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final java.util.function.Supplier<String> apiKey;

    /** @param apiKey an admin key: probes name their tenant, which only admin keys may do */
    public HttpSearchProbe(URI base, java.util.function.Supplier<String> apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    @Override
    public List<String> topIds(String tenant, String query, int k) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/v1/search"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Ragline-Tenant", tenant)
                .header("Authorization", "Bearer " + apiKey.get())
                .POST(HttpRequest.BodyPublishers.ofString(Json.writeString(
                        Map.of("query", query, "topK", k, "mode", "hybrid"))))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("search for '" + query + "' answered " + response.statusCode() + ": "
                        + response.body());
            }
            List<String> ids = new ArrayList<>();
            for (JsonNode r : Json.mapper().readTree(response.body()).path("results")) {
                ids.add(r.path("documentId").asText());
            }
            return ids;
        } catch (IOException e) {
            throw new IllegalStateException("search API at " + base + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@code GET /health/ready} answers 200. */
    public boolean ready() {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve("/health/ready")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
