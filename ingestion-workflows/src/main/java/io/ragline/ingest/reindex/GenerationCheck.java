package io.ragline.ingest.reindex;

/** Active chunks the new generation holds, against those the metadata store counts. */
public record GenerationCheck(long indexed, long expected, boolean filled) {
}
