package io.ragline.search.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ragline.core.json.Json;
import io.ragline.core.runtime.Health;
import io.ragline.core.validation.DocumentLimits;
import io.ragline.search.ingest.DocumentPublisher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fault injection of the search API: off by default, 503 problems and delays on /v1 when asked, and counted. */
class InjectedHttpFaultsTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final DocumentPublisher publisher = new DocumentPublisher("127.0.0.1:1", 1024);

    @Test
    void offUnlessTheEnvironmentAsks() {
        assertThat(InjectedHttpFaults.fromEnv(Map.of())).isSameAs(HttpFaults.NONE);
        assertThat(InjectedHttpFaults.fromEnv(Map.of("RAGLINE_FAULT_HTTP_ERROR_RATE", "0", "RAGLINE_FAULT_HTTP_DELAY_MS", "")))
                .isSameAs(HttpFaults.NONE);
        assertThat(InjectedHttpFaults.fromEnv(Map.of("RAGLINE_FAULT_HTTP_ERROR_RATE", "0.07")))
                .isInstanceOfSatisfying(InjectedHttpFaults.class, f ->
                        assertThat(f.describe()).isEqualTo("7% of /v1 requests answered 503, each delayed by 0 ms"));
    }

    @Test
    void badSettingsAreRefusedByName() {
        assertThatThrownBy(() -> InjectedHttpFaults.fromEnv(Map.of("RAGLINE_FAULT_HTTP_ERROR_RATE", "1.5")))
                .hasMessage("RAGLINE_FAULT_HTTP_ERROR_RATE must be a fraction between 0 and 1, was 1.5");
        assertThatThrownBy(() -> InjectedHttpFaults.fromEnv(Map.of("RAGLINE_FAULT_HTTP_ERROR_RATE", "half")))
                .hasMessage("RAGLINE_FAULT_HTTP_ERROR_RATE must be a number, was 'half'");
        assertThatThrownBy(() -> InjectedHttpFaults.fromEnv(Map.of("RAGLINE_FAULT_HTTP_DELAY_MS", "2s")))
                .hasMessage("RAGLINE_FAULT_HTTP_DELAY_MS must be a whole number of milliseconds, was '2s'");
        assertThatThrownBy(() -> InjectedHttpFaults.fromEnv(Map.of("RAGLINE_FAULT_HTTP_DELAY_MS", "-1")))
                .hasMessageStartingWith("RAGLINE_FAULT_HTTP_DELAY_MS must be between 0 and 60000 milliseconds");
    }

    @Test
    void theShareOfRefusedRequestsFollowsTheRate() {
        InjectedHttpFaults faults = new InjectedHttpFaults(0.3, Duration.ZERO, RandomGenerator.of("L64X128MixRandom"));
        int refused = 0;
        for (int i = 0; i < 2000; i++) {
            try {
                faults.beforeRequest();
            } catch (ProblemException e) {
                refused++;
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        assertThat(refused).isBetween(500, 700);
    }

    @Test
    void aFaultyReplicaAnswersV1With503ProblemsThatItsHttpTimerCounts() throws Exception {
        HttpFaults faults = InjectedHttpFaults.fromEnv(Map.of("RAGLINE_FAULT_HTTP_ERROR_RATE", "1"));
        try (SearchApi api = api(faults)) {
            HttpResponse<String> response = post(api.port(), "/v1/search");
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Content-Type")).hasValue(Problem.CONTENT_TYPE);
            JsonNode problem = Json.mapper().readTree(response.body());
            assertThat(problem.path("type").asText()).isEqualTo(Problem.TYPE_BASE + "injected-fault");
            assertThat(problem.path("detail").asText()).contains("100% of /v1 requests answered 503")
                    .contains("RAGLINE_FAULT_HTTP_ERROR_RATE");
            // outside /v1 the replica is fine: Kubernetes keeps it, the gate has to catch it
            assertThat(get(api.port(), "/health/live").statusCode()).isEqualTo(200);
            assertThat(registry.scrape()).contains(
                    "ragline_http_requests_seconds_count{method=\"POST\",route=\"/v1/search\",status=\"503\"} 1");
        }
    }

    @Test
    void aSlowReplicaDelaysEveryV1RequestAndItsHttpTimerMeasuresTheDelay() throws Exception {
        HttpFaults faults = InjectedHttpFaults.fromEnv(Map.of("RAGLINE_FAULT_HTTP_DELAY_MS", "1000"));
        try (SearchApi api = api(faults)) {
            long start = System.nanoTime();
            HttpResponse<String> response = get(api.port(), "/v1/stats"); // no key: 401, but only after the delay
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(tookMs).isGreaterThanOrEqualTo(1000);
            assertThat(registry.scrape()).contains(
                    "ragline_http_requests_seconds_count{method=\"GET\",route=\"/v1/stats\",status=\"401\"} 1");
            assertThat(timedSeconds()).as("the HTTP timer saw the delay").isGreaterThanOrEqualTo(1.0);
        }
    }

    @Test
    void withoutFaultsTheSameRequestsAreAnsweredAsUsual() throws Exception {
        try (SearchApi api = api(HttpFaults.NONE)) {
            assertThat(get(api.port(), "/v1/search").statusCode()).isEqualTo(401); // no key: the key check, not a fault
            assertThat(get(api.port(), "/v1/stats").statusCode()).isEqualTo(401);
            assertThat(registry.scrape()).doesNotContain("status=\"503\"");
        }
    }

    @AfterEach
    void close() {
        publisher.close();
    }

    private SearchApi api(HttpFaults faults) {
        return new SearchApi(null, null, null, null, () -> 0, () -> Health.READY, registry, publisher,
                DocumentLimits.defaults(), null, faults).start("127.0.0.1", 0);
    }

    /** What the HTTP timer recorded for the unauthenticated GET /v1/stats, in seconds. */
    private double timedSeconds() {
        var m = java.util.regex.Pattern.compile("ragline_http_requests_seconds_sum\\{method=\"GET\",route=\"/v1/stats\","
                + "status=\"401\"} (\\S+)").matcher(registry.scrape());
        assertThat(m.find()).as(registry.scrape()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private HttpResponse<String> post(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer nope").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
