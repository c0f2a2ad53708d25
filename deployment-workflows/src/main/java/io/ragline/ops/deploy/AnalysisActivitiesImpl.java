package io.ragline.ops.deploy;

import io.ragline.ops.Failures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

public final class AnalysisActivitiesImpl implements AnalysisActivities {
    private final PrometheusClient prometheus;

    public AnalysisActivitiesImpl(PrometheusClient prometheus) {
        this.prometheus = prometheus;
    }

    @Override
    public Measurement measure(AnalysisSpec input, String target) {
        AnalysisSpec spec = input.withDefaults();
        if (spec.prometheusUrl() == null || spec.prometheusUrl().isBlank()) {
            throw Failures.permanent("InvalidInput", "'analysis.prometheusUrl' is required");
        }
        String window = Math.max(1, spec.interval().toSeconds()) + "s";
        try {
            OptionalDouble rate = prometheus.query(spec.prometheusUrl(), fill(spec.successRateQuery(), target, window));
            OptionalDouble p95 = prometheus.query(spec.prometheusUrl(), fill(spec.latencyQuery(), target, window));
            List<String> broken = new ArrayList<>();
            List<String> seen = new ArrayList<>();
            if (rate.isPresent()) {
                seen.add(String.format(Locale.ROOT, "success rate %.4f", rate.getAsDouble()));
                if (rate.getAsDouble() < spec.minSuccessRate()) {
                    broken.add(String.format(Locale.ROOT, "success rate %.4f < %.4f", rate.getAsDouble(),
                            spec.minSuccessRate()));
                }
            }
            if (p95.isPresent()) {
                seen.add(String.format(Locale.ROOT, "p95 %.1f ms", p95.getAsDouble()));
                if (p95.getAsDouble() > spec.maxP95Millis()) {
                    broken.add(String.format(Locale.ROOT, "p95 %.1f ms > %d ms", p95.getAsDouble(), spec.maxP95Millis()));
                }
            }
            String detail = !broken.isEmpty() ? String.join(", ", broken)
                    : seen.isEmpty() ? "no data for " + target + " (inconclusive)" : String.join(", ", seen);
            return new Measurement(rate.isPresent() ? rate.getAsDouble() : null,
                    p95.isPresent() ? p95.getAsDouble() : null, broken.isEmpty(), detail);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String fill(String query, String selector, String window) {
        return query.replace("{{selector}}", selector).replace("{{window}}", window);
    }
}
