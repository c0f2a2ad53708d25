package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ragline.core.json.Json;
import io.ragline.core.runtime.Health;
import io.ragline.core.validation.DocumentLimits;
import io.ragline.devstack.serve.HealthServer;
import io.ragline.search.api.SearchApi;
import io.ragline.search.ingest.DocumentPublisher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code /health/ready} answers 200, or 503 with the reason, on the services' health server and on the search API. */
class ReadinessEndpointsTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<Health> health = new AtomicReference<>(Health.notReady("the worker has not joined its group yet"));

    @Test
    void theHealthServerAnswers503WithTheReasonUntilReady() throws Exception {
        try (HealthServer server = new HealthServer("127.0.0.1", 0, registry, health::get, Map.of())) {
            assertReadiness(server.port());
        }
    }

    @Test
    void theSearchApiAnswers503WithTheReasonUntilReady() throws Exception {
        try (DocumentPublisher publisher = new DocumentPublisher("127.0.0.1:1", 1024);
             SearchApi api = new SearchApi(null, null, null, null, () -> 0, health::get, registry, publisher,
                     DocumentLimits.defaults(), null).start("127.0.0.1", 0)) {
            assertReadiness(api.port());
        }
    }

    private void assertReadiness(int port) throws Exception {
        HttpResponse<String> down = ready(port);
        assertThat(down.statusCode()).isEqualTo(503);
        JsonNode body = Json.mapper().readTree(down.body());
        assertThat(body.path("status").asText()).isEqualTo("DOWN");
        assertThat(body.path("reason").asText()).isEqualTo("the worker has not joined its group yet");

        health.set(Health.READY);
        HttpResponse<String> up = ready(port);
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(up.body()).path("status").asText()).isEqualTo("UP");
        assertThat(Json.mapper().readTree(up.body()).has("reason")).isFalse();
    }

    private HttpResponse<String> ready(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
