package io.ragline.ingest.reindex;

import java.util.Map;

/** One scan activity's outcome: the cursor to continue from and what it republished. */
public record ScanBatch(Map<String, Long> cursor, long scanned, long republished, boolean done) {
}
