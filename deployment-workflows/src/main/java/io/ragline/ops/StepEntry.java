package io.ragline.ops;

import java.time.Instant;

/**
 * One step of an operations workflow as {@code status()} shows it.
 *
 * @param outcome RUNNING while it runs, then OK, FAILED or SKIPPED
 */
public record StepEntry(String name, String outcome, Instant startedAt, Instant finishedAt, String detail) {
}
