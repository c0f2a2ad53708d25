package io.ragline.ops.backup;

/** A query whose top results a backup records and a restore must reproduce. */
public record ProbeQuery(String tenant, String query, int k) {
}
