package io.ragline.core.event;

/** Machine-readable reasons for {@code ragline.documents.dlq}; one code per validation rule. */
public enum DlqReason {
    INVALID_JSON("the value is not a JSON object"),
    UNKNOWN_SCHEMA("'schema' is missing or not ragline.document.v1"),
    MISSING_ID("'id' is missing or blank"),
    MISSING_TENANT("'tenant' is missing or blank"),
    INVALID_ID("'id' or 'tenant' has characters or a length the contract forbids"),
    KEY_MISMATCH("the record key is not <tenant>/<id> of the value"),
    INVALID_OP("'op' is not UPSERT or DELETE"),
    MISSING_TEXT("'text' (or, for binary formats, 'content') is missing for an UPSERT"),
    INVALID_ENCODING("the value is not valid UTF-8, or 'content' is not valid base64"),
    TEXT_TOO_LARGE("'text' exceeds the configured maximum size"),
    UNSUPPORTED_CONTENT_TYPE("'contentType' is not one the pipeline can extract"),
    METADATA_INVALID("'metadata' is too large or not a flat object of scalars"),
    TAGS_INVALID("'tags' is not an array of at most 32 strings of 1-64 characters"),
    TIMESTAMP_INVALID("'timestamp' is not an ISO-8601 instant such as 2026-05-01T12:00:00Z"),
    EXTRACTION_FAILED("the text could not be extracted from 'content' (damaged or encrypted file)"),
    EMPTY_TEXT("no text is left after extraction"),
    EMBEDDING_FAILED("the embedding model kept failing on a chunk of the document");

    private final String description;

    DlqReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
