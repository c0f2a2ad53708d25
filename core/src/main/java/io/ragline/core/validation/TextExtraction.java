package io.ragline.core.validation;

/**
 * Turns a document's bytes into plain text. The ingest topology extracts with Apache Tika; callers
 * that only check the contract (the HTTP ingest) defer extraction to the topology.
 */
@FunctionalInterface
public interface TextExtraction {
    /** @throws Refusal EXTRACTION_FAILED or TEXT_TOO_LARGE when the bytes cannot be read as declared */
    String extract(String contentType, byte[] bytes, int maxChars) throws Refusal;
}
