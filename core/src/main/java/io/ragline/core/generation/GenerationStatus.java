package io.ragline.core.generation;

/**
 * A replica's index generations.
 *
 * @param serving               the generation searches use
 * @param servingActiveChunks   searchable chunks in it
 * @param building              the generation being built, or null
 * @param buildingActiveChunks  chunks of active versions in it (0 when none is building)
 */
public record GenerationStatus(long serving, long servingActiveChunks, Long building, long buildingActiveChunks) {
}
