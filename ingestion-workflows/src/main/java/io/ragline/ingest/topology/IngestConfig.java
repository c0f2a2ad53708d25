package io.ragline.ingest.topology;

/** Settings of the ingest topology. */
public record IngestConfig(int maxTextBytes, int maxMetadataBytes, int chunkTargetWords, int chunkOverlapWords) {
    public static final int DEFAULT_MAX_TEXT_BYTES = 10 * 1024 * 1024;
    public static final int DEFAULT_MAX_METADATA_BYTES = 16 * 1024;

    public static IngestConfig defaults() {
        return new IngestConfig(DEFAULT_MAX_TEXT_BYTES, DEFAULT_MAX_METADATA_BYTES, 200, 30);
    }
}
