package io.ragline.core.store;

/** Document counts of one tenant by lifecycle state. {@code chunks}: chunks of active versions. */
public record DocumentStats(long active, long pending, long failed, long deleted, long chunks) {
}
