package io.ragline.ops.backup;

import java.util.List;

/** Runs a search the way the API does, for backup-time recording and restore-time verification. */
public interface SearchProbe {
    /** Ids of the top {@code k} documents for {@code query} in {@code tenant}, best first. */
    List<String> topIds(String tenant, String query, int k);
}
