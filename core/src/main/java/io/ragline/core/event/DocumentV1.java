package io.ragline.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The public document contract, {@code ragline.document.v1}, as producers publish it to
 * {@code ragline.documents}. Validation lives in the ingest topology, not here: this record
 * holds whatever parsed. Text formats come in {@code text}; binary ones (PDF, DOCX) base64 in
 * {@code content}. {@code tags} and {@code timestamp} (ISO-8601 instant) are optional: records
 * written before they existed still parse.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DocumentV1(
        String schema,
        String id,
        String tenant,
        DocumentOp op,
        String title,
        String text,
        String content,
        String contentType,
        String source,
        String language,
        Map<String, Object> metadata,
        List<String> tags,
        String timestamp) {

    public static final String SCHEMA = "ragline.document.v1";

    /** The fields before {@code tags} and {@code timestamp}, for callers that set neither. */
    public DocumentV1(String schema, String id, String tenant, DocumentOp op, String title, String text, String content,
                      String contentType, String source, String language, Map<String, Object> metadata) {
        this(schema, id, tenant, op, title, text, content, contentType, source, language, metadata, null, null);
    }

    public DocumentV1 withTags(List<String> newTags) {
        return new DocumentV1(schema, id, tenant, op, title, text, content, contentType, source, language, metadata,
                newTags, timestamp);
    }

    public DocumentV1 withTimestamp(Instant newTimestamp) {
        return new DocumentV1(schema, id, tenant, op, title, text, content, contentType, source, language, metadata,
                tags, newTimestamp == null ? null : newTimestamp.toString());
    }

    public static DocumentV1 upsert(String tenant, String id, String title, String text, String contentType,
                                    String source, Map<String, Object> metadata) {
        return new DocumentV1(SCHEMA, id, tenant, DocumentOp.UPSERT, title, text, null, contentType, source, "en",
                metadata);
    }

    /** A binary document (PDF, DOCX, ...): its bytes travel base64 in {@code content}. */
    public static DocumentV1 binary(String tenant, String id, String title, byte[] bytes, String contentType,
                                    String source, Map<String, Object> metadata) {
        return new DocumentV1(SCHEMA, id, tenant, DocumentOp.UPSERT, title, null,
                java.util.Base64.getEncoder().encodeToString(bytes), contentType, source, "en", metadata);
    }

    public static DocumentV1 delete(String tenant, String id) {
        return new DocumentV1(SCHEMA, id, tenant, DocumentOp.DELETE, null, null, null, null, null, null, null);
    }

    public DocumentOp opOrDefault() {
        return op == null ? DocumentOp.UPSERT : op;
    }
}
