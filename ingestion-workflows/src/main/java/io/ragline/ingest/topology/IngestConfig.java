package io.ragline.ingest.topology;

import io.ragline.core.validation.DocumentLimits;

/**
 * Settings of the ingest topology.
 *
 * @param chunkTargetTokens  tokens (of the embedding model) a chunk aims at
 * @param chunkOverlapTokens tokens of whole sentences repeated from one chunk to the next
 */
public record IngestConfig(int maxTextBytes, int maxMetadataBytes, int chunkTargetTokens, int chunkOverlapTokens) {
    public static final int DEFAULT_MAX_TEXT_BYTES = DocumentLimits.DEFAULT_MAX_TEXT_BYTES;
    public static final int DEFAULT_MAX_METADATA_BYTES = DocumentLimits.DEFAULT_MAX_METADATA_BYTES;

    /** Suited to bge-small-en-v1.5 (512 tokens): 256-token chunks with a 32-token overlap. */
    public static IngestConfig defaults() {
        return new IngestConfig(DEFAULT_MAX_TEXT_BYTES, DEFAULT_MAX_METADATA_BYTES, 256, 32);
    }

    /** The contract's size limits, which the validator checks. */
    public DocumentLimits limits() {
        return new DocumentLimits(maxTextBytes, maxMetadataBytes);
    }
}
