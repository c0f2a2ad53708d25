package io.ragline.core.event;

import java.util.Map;

/**
 * Which Lucene index generation the search replicas serve, and which one a re-index is building;
 * the only record on {@code ragline.index-generations} (key {@link #KEY}). A snapshot: replicas
 * follow the latest one.
 *
 * @param serving              the generation searches use (1 before any re-index)
 * @param servingModel         the embedding model of the serving generation; null: whatever the replica runs
 * @param building             the generation being built, or null
 * @param buildingModel        embeddings of only this model go into the building generation; null: any
 * @param buildingStartOffsets where the building generation starts reading {@code ragline.embeddings}
 *                             ({@code topic-partition} → offset): everything it holds was embedded after the re-index began
 * @param reindexId            the workflow that owns the building generation
 * @param lastGeneration       the highest generation ever allocated: numbers are never reused
 */
public record IndexGenerations(String schema, long serving, String servingModel, Long building, String buildingModel,
                               Map<String, Long> buildingStartOffsets, String reindexId, long lastGeneration,
                               long updatedAtMillis) {
    public static final String SCHEMA = "ragline.index-generations.v1";
    public static final String KEY = "generations";

    /** Before any re-index: generation 1 serves. */
    public static IndexGenerations initial() {
        return new IndexGenerations(SCHEMA, 1, null, null, null, Map.of(), null, 1, 0);
    }

    public IndexGenerations startBuilding(long generation, String model, Map<String, Long> startOffsets, String owner,
                                          long nowMillis) {
        return new IndexGenerations(SCHEMA, serving, servingModel, generation, model, startOffsets, owner,
                Math.max(lastGeneration, generation), nowMillis);
    }

    /** The building generation serves from now on. */
    public IndexGenerations switched(long nowMillis) {
        return new IndexGenerations(SCHEMA, building, buildingModel, null, null, Map.of(), null, lastGeneration, nowMillis);
    }

    public IndexGenerations abandoned(long nowMillis) {
        return new IndexGenerations(SCHEMA, serving, servingModel, null, null, Map.of(), null, lastGeneration, nowMillis);
    }
}
