package io.ragline.ops.dr;

/**
 * A running environment.
 *
 * @param taskQueue the task queue of that environment's own ops worker, which serves the
 *                  {@code RestoreActivities} bound to its database, index and Kafka
 * @param endpoint  its search API, for the operator
 */
public record EnvironmentInfo(String name, String taskQueue, String endpoint) {
}
