package io.ragline.ops.deploy;

import java.time.Duration;

/**
 * An analysis gate: {@code measurements} Prometheus measurements, {@code interval} apart; the gate
 * fails once more than {@code failureLimit} of them failed. A measurement fails when the success
 * rate is below {@code minSuccessRate} or the p95 latency above {@code maxP95Millis}.
 *
 * <p><b>No data is not a pass.</b> A query without a sample (nothing scraped for the selector), or
 * whose value is NaN (a success rate of 0/0 or a p95 of no requests: no traffic in the window), makes
 * the measurement <i>inconclusive</i>, and an inconclusive measurement counts against
 * {@code failureLimit} like a failed one. A gate therefore passes only on evidence, and a gate
 * without traffic fails after {@code failureLimit + 1} measurements instead of waiting forever:
 * send the canary traffic (or raise {@code failureLimit}) before its gate runs.
 *
 * <p>Queries may use {@code {{selector}}}, a PromQL label-matcher fragment that selects exactly the
 * pods under analysis as the shipped ServiceMonitor labels their metrics, for example
 * {@code namespace="ragline",service="ragline-search",pod=~"ragline-search-(1)"}; and
 * {@code {{window}}}, the interval as a PromQL range ({@code 60s}). {@code {{target}}} is an alias
 * of {@code {{selector}}} for queries written before it. The default queries count only the API's
 * routes ({@code /v1/...}), not Prometheus's own scrapes or the kubelet's health probes, which would
 * otherwise make an idle canary look healthy.
 */
public record AnalysisSpec(String prometheusUrl, Double minSuccessRate, Long maxP95Millis, Duration interval,
                           Integer failureLimit, Integer measurements, String successRateQuery,
                           String latencyQuery) {
    public static final String SELECTOR = "{{selector}}";
    public static final String WINDOW = "{{window}}";
    private static final String API_REQUESTS = SELECTOR + ",route=~\"/v1/.+\"";
    /**
     * Share of the API's answers that are not 5xx. {@code or vector(0)}: when every answer was a 5xx
     * there is no non-5xx series at all, and the rate is 0, not "no data".
     */
    public static final String DEFAULT_SUCCESS_RATE_QUERY =
            "(sum(rate(ragline_http_requests_seconds_count{" + API_REQUESTS + ",status!~\"5..\"}[" + WINDOW + "]))"
                    + " or vector(0))"
                    + " / sum(rate(ragline_http_requests_seconds_count{" + API_REQUESTS + "}[" + WINDOW + "]))";
    /** The API's p95 latency in milliseconds, from the HTTP timer's histogram. */
    public static final String DEFAULT_LATENCY_QUERY =
            "1000 * histogram_quantile(0.95, sum by (le) (rate(ragline_http_requests_seconds_bucket{"
                    + API_REQUESTS + "}[" + WINDOW + "])))";

    public AnalysisSpec withDefaults() {
        return new AnalysisSpec(prometheusUrl,
                minSuccessRate == null ? 0.99 : minSuccessRate,
                maxP95Millis == null ? 500L : maxP95Millis,
                interval == null ? Duration.ofMinutes(1) : interval,
                failureLimit == null ? 0 : failureLimit,
                measurements == null ? 3 : measurements,
                successRateQuery == null || successRateQuery.isBlank() ? DEFAULT_SUCCESS_RATE_QUERY : successRateQuery,
                latencyQuery == null || latencyQuery.isBlank() ? DEFAULT_LATENCY_QUERY : latencyQuery);
    }
}
