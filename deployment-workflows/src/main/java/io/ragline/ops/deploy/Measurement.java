package io.ragline.ops.deploy;

/**
 * One analysis measurement.
 *
 * @param successRate null when Prometheus had no data
 * @param p95Millis   null when Prometheus had no data
 * @param passed      false when a threshold was broken
 */
public record Measurement(Double successRate, Double p95Millis, boolean passed, String detail) {
}
