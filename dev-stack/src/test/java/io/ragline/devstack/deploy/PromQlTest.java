package io.ragline.devstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {
    @Test
    void findsMetricNamesButNotFunctionsLabelsOrDurations() {
        assertThat(PromQl.metricNames("""
                histogram_quantile(0.95, sum by (le, mode) (rate(ragline_search_seconds_bucket{mode!="x", le=~"1.*"}[5m])))
                  > 5 and on (instance) up offset 1h or deriv(max(ragline_embedding_lag)[10m:1m]) > 0
                """)).containsExactly("ragline_search_seconds_bucket", "up", "ragline_embedding_lag");
        assertThat(PromQl.metricNames("time() - max(ragline_backup_last_success_timestamp_seconds)"))
                .containsExactly("ragline_backup_last_success_timestamp_seconds");
        assertThat(PromQl.metricNames("sum(rate(a_total[$__rate_interval])) / sum(rate(b_total[$__rate_interval])) by (route)"))
                .containsExactly("a_total", "b_total");
    }

    @Test
    void micrometerTypesMapToPrometheusSuffixes() {
        assertThat(MetricCatalog.prometheusNames("ragline.search", "timer")).contains("ragline_search_seconds_bucket")
                .doesNotContain("ragline_search_total");
        assertThat(MetricCatalog.prometheusNames("ragline.embeddings", "counter")).containsExactly("ragline_embeddings_total");
        assertThat(MetricCatalog.prometheusNames("ragline.embedding.batch.size", "summary"))
                .contains("ragline_embedding_batch_size_count").doesNotContain("ragline_embedding_batch_size_seconds_count");
        assertThat(MetricCatalog.parse("""
                /** Counter, tag reason: x. */
                public static final String DLQ = "ragline.dlq.records";
                /** Timer: y. */
                public static final String T = "ragline.t";
                """)).containsEntry("ragline.dlq.records", "counter").containsEntry("ragline.t", "timer");
    }

    @Test
    void anUnregisteredNameIsNotAllowed() {
        assertThat(MetricCatalog.allowed()).contains("ragline_http_requests_seconds_count", "ragline_dlq_records_total",
                "jvm_memory_used_bytes").doesNotContain("ragline_http_requests_total", "ragline_search_latency_seconds");
    }
}
