package io.ragline.ops.backup;

import java.util.List;

/** The top results of a {@link ProbeQuery} at backup time, best first (document ids). */
public record ProbeRecord(String tenant, String query, int k, List<String> topIds) {
}
