package io.ragline.core.validation;

/** Size limits of the {@code ragline.document.v1} contract. */
public record DocumentLimits(int maxTextBytes, int maxMetadataBytes) {
    public static final int DEFAULT_MAX_TEXT_BYTES = 10 * 1024 * 1024;
    public static final int DEFAULT_MAX_METADATA_BYTES = 16 * 1024;

    public static DocumentLimits defaults() {
        return new DocumentLimits(DEFAULT_MAX_TEXT_BYTES, DEFAULT_MAX_METADATA_BYTES);
    }
}
