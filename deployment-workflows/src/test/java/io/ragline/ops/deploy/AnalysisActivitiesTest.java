package io.ragline.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.failure.ApplicationFailure;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The measurement semantics of a gate against Prometheus's HTTP API (MockWebServer answering with
 * the shapes {@code /api/v1/query} returns): thresholds, and no data is not a pass.
 */
class AnalysisActivitiesTest {
    private static final String SELECTOR = "namespace=\"ragline\",service=\"ragline-search\",pod=~\"ragline-search-(1)\"";
    private MockWebServer prometheus;
    private AnalysisActivitiesImpl analysis;

    @BeforeEach
    void start() throws Exception {
        prometheus = new MockWebServer();
        prometheus.start();
        analysis = new AnalysisActivitiesImpl(new PrometheusClient(HttpClient.newHttpClient()));
    }

    @AfterEach
    void stop() {
        prometheus.close();
    }

    @Test
    void aHealthyMeasurementPassesAndTheDefaultQueriesSelectTheApiRoutesOfExactlyTheSelectedPods() throws Exception {
        prometheus.enqueue(vector("0.9995"));
        prometheus.enqueue(vector("120.5"));

        Measurement m = analysis.measure(spec(), SELECTOR);

        assertThat(m.passed()).as(m.detail()).isTrue();
        assertThat(m.successRate()).isEqualTo(0.9995);
        assertThat(m.p95Millis()).isEqualTo(120.5);
        assertThat(m.detail()).isEqualTo("success rate 0.9995, p95 120.5 ms");
        String rate = query(prometheus.takeRequest());
        assertThat(rate).isEqualTo("(sum(rate(ragline_http_requests_seconds_count{" + SELECTOR
                + ",route=~\"/v1/.+\",status!~\"5..\"}[30s])) or vector(0)) / sum(rate(ragline_http_requests_seconds_count{"
                + SELECTOR + ",route=~\"/v1/.+\"}[30s]))");
        assertThat(query(prometheus.takeRequest())).isEqualTo("1000 * histogram_quantile(0.95, sum by (le) "
                + "(rate(ragline_http_requests_seconds_bucket{" + SELECTOR + ",route=~\"/v1/.+\"}[30s])))");
    }

    @Test
    void aSuccessRateBelowTheMinimumFails() {
        prometheus.enqueue(vector("0.82"));
        prometheus.enqueue(vector("95"));

        Measurement m = analysis.measure(spec(), SELECTOR);

        assertThat(m.passed()).isFalse();
        assertThat(m.successRate()).isEqualTo(0.82);
        assertThat(m.detail()).isEqualTo("success rate 0.8200 < 0.9900");
    }

    @Test
    void aP95AboveTheMaximumFailsAndSoDoesOneBeyondTheLargestBucket() {
        prometheus.enqueue(vector("1.0"));
        prometheus.enqueue(vector("812.3"));
        Measurement slow = analysis.measure(spec(), SELECTOR);
        assertThat(slow.passed()).isFalse();
        assertThat(slow.detail()).isEqualTo("p95 812.3 ms > 500 ms");

        prometheus.enqueue(vector("1.0"));
        prometheus.enqueue(vector("+Inf")); // histogram_quantile in the +Inf bucket
        Measurement stuck = analysis.measure(spec(), SELECTOR);
        assertThat(stuck.passed()).isFalse();
        assertThat(stuck.detail()).contains("p95 Infinity ms > 500 ms");
    }

    @Test
    void noSeriesForTheSelectorIsInconclusiveAndFails() {
        prometheus.enqueue(emptyVector());
        prometheus.enqueue(emptyVector());

        Measurement m = analysis.measure(spec(), "pod=~\"ragline-search-7\"");

        assertThat(m.passed()).isFalse();
        assertThat(m.successRate()).isNull();
        assertThat(m.p95Millis()).isNull();
        assertThat(m.detail()).isEqualTo("inconclusive: no success rate and no p95 for {pod=~\"ragline-search-7\"} in the "
                + "last 30s (no requests, or nothing scraped); counts as a failed measurement");
    }

    @Test
    void noTrafficInTheWindowMakesBothValuesNaNWhichIsInconclusiveAndFails() {
        prometheus.enqueue(vector("NaN")); // 0 / 0
        prometheus.enqueue(vector("NaN")); // histogram_quantile of all-zero bucket rates

        Measurement m = analysis.measure(spec(), SELECTOR);

        assertThat(m.passed()).isFalse();
        assertThat(m.successRate()).isNull();
        assertThat(m.detail()).startsWith("inconclusive: no success rate and no p95");
    }

    @Test
    void oneMissingValueIsEnoughToMakeAMeasurementInconclusive() {
        prometheus.enqueue(vector("1.0"));
        prometheus.enqueue(vector("NaN"));

        Measurement m = analysis.measure(spec(), SELECTOR);

        assertThat(m.passed()).isFalse();
        assertThat(m.successRate()).isEqualTo(1.0);
        assertThat(m.p95Millis()).isNull();
        assertThat(m.detail()).startsWith("success rate 1.0000, inconclusive: no p95 for {");
    }

    @Test
    void aScalarResultIsReadAsWell() {
        prometheus.enqueue(json("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1767225600,\"0.995\"]}}"));
        prometheus.enqueue(json("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1767225600,\"10\"]}}"));

        Measurement m = analysis.measure(spec(), SELECTOR);

        assertThat(m.passed()).as(m.detail()).isTrue();
        assertThat(m.successRate()).isEqualTo(0.995);
    }

    @Test
    void customQueriesMayStillUseTheOldTargetPlaceholder() throws Exception {
        prometheus.enqueue(vector("1"));
        prometheus.enqueue(vector("1"));
        AnalysisSpec spec = new AnalysisSpec(prometheus.url("/").toString(), null, null, Duration.ofSeconds(90), null, null,
                "my_ok{{{target}}}[{{window}}]", "my_p95{{{selector}}}");

        analysis.measure(spec, "pod=\"a\"");

        assertThat(query(prometheus.takeRequest())).isEqualTo("my_ok{pod=\"a\"}[90s]");
        assertThat(query(prometheus.takeRequest())).isEqualTo("my_p95{pod=\"a\"}");
    }

    @Test
    void anEmptySelectorIsRefusedBeforeAnyQuery() {
        assertThatThrownBy(() -> analysis.measure(spec(), " "))
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.getType()).isEqualTo("InvalidInput");
                    assertThat(f.isNonRetryable()).isTrue();
                    assertThat(f.getOriginalMessage()).contains("selector is empty");
                });
        assertThat(prometheus.getRequestCount()).isZero();
    }

    @Test
    void aQueryPrometheusRejectsFailsForGoodWithPrometheusReason() {
        prometheus.enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                .body("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:52: parse error: unexpected \\\"}\\\"\"}")
                .build());

        assertThatThrownBy(() -> analysis.measure(spec(), "pod=~"))
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.getType()).isEqualTo("InvalidInput");
                    assertThat(f.isNonRetryable()).isTrue();
                    assertThat(f.getOriginalMessage()).startsWith("Prometheus rejected the query: 1:52: parse error");
                });
    }

    @Test
    void aQueryReturningSeveralSeriesIsRefusedRatherThanReadAsOne() {
        prometheus.enqueue(json("""
                {"status":"success","data":{"resultType":"vector","result":[
                  {"metric":{"pod":"a"},"value":[1767225600,"0.5"]},{"metric":{"pod":"b"},"value":[1767225600,"1"]}]}}"""));

        assertThatThrownBy(() -> analysis.measure(spec(), SELECTOR))
                .isInstanceOfSatisfying(ApplicationFailure.class, f ->
                        assertThat(f.getOriginalMessage()).contains("returned 2 series; a gate query must return one"));
    }

    @Test
    void anUnavailablePrometheusIsAnErrorWorthARetryNotAMeasurement() {
        prometheus.enqueue(new MockResponse.Builder().code(503).body("unavailable").build());

        assertThatThrownBy(() -> analysis.measure(spec(), SELECTOR))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("HTTP 503");
    }

    private AnalysisSpec spec() {
        return new AnalysisSpec(prometheus.url("/").toString(), 0.99, 500L, Duration.ofSeconds(30), 0, 1, null, null);
    }

    private static String query(RecordedRequest request) {
        return request.getUrl().queryParameter("query");
    }

    private static MockResponse vector(String value) {
        return json("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{},\"value\":[1767225600.123,\"" + value + "\"]}]}}");
    }

    private static MockResponse emptyVector() {
        return json("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }
}
