package io.ragline.ingest.topology;

/** What the de-duplication store remembers of a document: its last version and content hash. */
public record VersionEntry(long version, String contentHash, boolean deleted) {
}
