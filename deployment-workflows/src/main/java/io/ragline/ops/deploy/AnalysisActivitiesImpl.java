package io.ragline.ops.deploy;

import io.ragline.ops.Failures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/** Measures a gate's two queries; a missing value makes the measurement inconclusive, which fails it. */
public final class AnalysisActivitiesImpl implements AnalysisActivities {
    private final PrometheusClient prometheus;

    public AnalysisActivitiesImpl(PrometheusClient prometheus) {
        this.prometheus = prometheus;
    }

    @Override
    public Measurement measure(AnalysisSpec input, String selector) {
        AnalysisSpec spec = input.withDefaults();
        if (spec.prometheusUrl() == null || spec.prometheusUrl().isBlank()) {
            throw Failures.permanent("InvalidInput", "'analysis.prometheusUrl' is required");
        }
        if (selector == null || selector.isBlank()) {
            // an empty selector would measure every pod of every service, the canary's errors drowned in them
            throw Failures.permanent("InvalidInput", "the analysis selector is empty: a gate must name the pods it measures");
        }
        String window = Math.max(1, spec.interval().toSeconds()) + "s";
        try {
            OptionalDouble rate = query(spec, spec.successRateQuery(), selector, window);
            OptionalDouble p95 = query(spec, spec.latencyQuery(), selector, window);
            List<String> broken = new ArrayList<>();
            List<String> seen = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            if (rate.isPresent()) {
                seen.add(String.format(Locale.ROOT, "success rate %.4f", rate.getAsDouble()));
                if (rate.getAsDouble() < spec.minSuccessRate()) {
                    broken.add(String.format(Locale.ROOT, "success rate %.4f < %.4f", rate.getAsDouble(),
                            spec.minSuccessRate()));
                }
            } else {
                missing.add("success rate");
            }
            if (p95.isPresent()) {
                seen.add(String.format(Locale.ROOT, "p95 %.1f ms", p95.getAsDouble()));
                if (p95.getAsDouble() > spec.maxP95Millis()) {
                    broken.add(String.format(Locale.ROOT, "p95 %.1f ms > %d ms", p95.getAsDouble(), spec.maxP95Millis()));
                }
            } else {
                missing.add("p95");
            }
            List<String> detail = new ArrayList<>(broken.isEmpty() ? seen : broken);
            if (!missing.isEmpty()) {
                detail.add("inconclusive: no " + String.join(" and no ", missing) + " for {" + selector + "} in the last "
                        + window + " (no requests, or nothing scraped); counts as a failed measurement");
            }
            return new Measurement(rate.isPresent() ? rate.getAsDouble() : null,
                    p95.isPresent() ? p95.getAsDouble() : null, broken.isEmpty() && missing.isEmpty(),
                    String.join(", ", detail));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private OptionalDouble query(AnalysisSpec spec, String template, String selector, String window)
            throws IOException, InterruptedException {
        String query = fill(template, selector, window);
        try {
            return prometheus.query(spec.prometheusUrl(), query);
        } catch (PrometheusClient.BadQuery e) {
            // no retry makes a query valid
            throw Failures.permanent("InvalidInput", e.getMessage());
        }
    }

    static String fill(String query, String selector, String window) {
        return query.replace(AnalysisSpec.SELECTOR, selector).replace("{{target}}", selector)
                .replace(AnalysisSpec.WINDOW, window);
    }
}
