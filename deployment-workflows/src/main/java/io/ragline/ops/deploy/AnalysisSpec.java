package io.ragline.ops.deploy;

import java.time.Duration;

/**
 * An analysis gate: {@code measurements} Prometheus measurements, {@code interval} apart; the gate
 * fails once more than {@code failureLimit} of them failed. A measurement fails when the success
 * rate is below {@code minSuccessRate} or the p95 latency above {@code maxP95Millis}; a query
 * without data (no traffic yet) is inconclusive and does not count.
 *
 * <p>Queries may use {@code {{selector}}} (PromQL label matchers selecting the pods under analysis, as
 * the ServiceMonitor labels them: {@code namespace="ragline",service="ragline-search",pod=~"ragline-search-(3|4)"})
 * and {@code {{window}}} (the interval as a PromQL range).
 */
public record AnalysisSpec(String prometheusUrl, Double minSuccessRate, Long maxP95Millis, Duration interval,
                           Integer failureLimit, Integer measurements, String successRateQuery,
                           String latencyQuery) {
    public static final String DEFAULT_SUCCESS_RATE_QUERY =
            "sum(rate(ragline_http_requests_seconds_count{{{selector}},status!~\"5..\"}[{{window}}]))"
                    + " / sum(rate(ragline_http_requests_seconds_count{{{selector}}}[{{window}}]))";
    public static final String DEFAULT_LATENCY_QUERY =
            "1000 * histogram_quantile(0.95, sum by (le) (rate(ragline_http_requests_seconds_bucket"
                    + "{{{selector}}}[{{window}}])))";

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
