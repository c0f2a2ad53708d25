package io.ragline.ingest.topology;

/**
 * Settings of the ingest topology.
 *
 * @param chunkTargetTokens  tokens (of the embedding model) a chunk aims at
 * @param chunkOverlapTokens tokens of whole sentences repeated from one chunk to the next
 */
public record IngestConfig(int maxTextBytes, int maxMetadataBytes, int chunkTargetTokens, int chunkOverlapTokens) {
    public static final int DEFAULT_MAX_TEXT_BYTES = 10 * 1024 * 1024;
    public static final int DEFAULT_MAX_METADATA_BYTES = 16 * 1024;

    /** Suited to bge-small-en-v1.5 (512 tokens): 256-token chunks with a 32-token overlap. */
    public static IngestConfig defaults() {
        return new IngestConfig(DEFAULT_MAX_TEXT_BYTES, DEFAULT_MAX_METADATA_BYTES, 256, 32);
    }
}
