package io.ragline.ops.deploy;

/**
 * One analysis measurement.
 *
 * @param successRate null when Prometheus had no data (or NaN: no requests)
 * @param p95Millis   null when Prometheus had no data (or NaN: no requests)
 * @param passed      false when a threshold was broken, and when the measurement was inconclusive
 *                    (a value missing): no data is not a pass (see {@link AnalysisSpec})
 * @param detail      what was seen, for operators; an inconclusive one says {@code inconclusive}
 */
public record Measurement(Double successRate, Double p95Millis, boolean passed, String detail) {
}
