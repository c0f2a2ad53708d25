package io.ragline.ingest.reindex;

import java.util.Map;

/**
 * The generation a re-index builds.
 *
 * @param scanEnd where it started reading ragline.embeddings: the scan covers what lies before
 */
public record GenerationPlan(long generation, String model, Map<String, Long> scanEnd) {
}
