package io.ragline.ingest.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ragline.core.event.DlqReason;
import io.ragline.core.event.DocumentOp;
import io.ragline.core.event.DocumentV1;
import io.ragline.core.json.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Applies the {@code ragline.document.v1} contract rules, one {@link DlqReason} per rule. */
final class DocumentValidator {
    /** Tenants are short slugs: they name Kafka keys, index fields and API scopes. */
    static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    /** Ids are free-form (file names are common) but cannot contain '/' or control characters. */
    static final Pattern ID = Pattern.compile("[^/\\p{Cntrl}]{1,512}");
    static final Set<String> CONTENT_TYPES = TextExtractor.TYPES.keySet();
    static final int MAX_TAGS = 32;
    static final int MAX_TAG_CHARS = 64;

    private final IngestConfig config;
    private final TextExtractor extractor = new TextExtractor();

    DocumentValidator(IngestConfig config) {
        this.config = config;
    }

    /** Validates a tombstone's key: a null value deletes {@code <tenant>/<id>}. */
    ValidDocument tombstone(String key) throws Refusal {
        int slash = key.indexOf('/');
        if (slash < 0) {
            throw new Refusal(DlqReason.KEY_MISMATCH, "tombstone key '" + key + "' is not <tenant>/<id>");
        }
        String tenant = key.substring(0, slash);
        String id = key.substring(slash + 1);
        checkIds(tenant, id);
        return new ValidDocument(tenant, id, DocumentOp.DELETE, null, null, null, null, null, Map.of(), List.of(), null);
    }

    ValidDocument validate(String key, byte[] value) throws Refusal {
        String json = decodeUtf8(value, "value");
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new Refusal(DlqReason.INVALID_JSON, "value is not JSON: " + e.getOriginalMessage());
        }
        if (!(root instanceof ObjectNode doc)) {
            throw new Refusal(DlqReason.INVALID_JSON, "value is JSON but not an object");
        }
        String schema = text(doc, "schema");
        if (!DocumentV1.SCHEMA.equals(schema)) {
            throw new Refusal(DlqReason.UNKNOWN_SCHEMA,
                    "schema is " + (schema == null ? "missing" : "'" + schema + "'") + ", expected '" + DocumentV1.SCHEMA + "'");
        }
        String id = text(doc, "id");
        if (id == null || id.isBlank()) {
            throw new Refusal(DlqReason.MISSING_ID, "'id' is missing or blank");
        }
        String tenant = text(doc, "tenant");
        if (tenant == null || tenant.isBlank()) {
            throw new Refusal(DlqReason.MISSING_TENANT, "'tenant' is missing or blank");
        }
        checkIds(tenant, id);
        if (key == null || !key.equals(tenant + "/" + id)) {
            throw new Refusal(DlqReason.KEY_MISMATCH,
                    "record key " + (key == null ? "is missing" : "'" + key + "'") + " must be '" + tenant + "/" + id + "'");
        }
        DocumentOp op = op(doc);
        if (op == DocumentOp.DELETE) {
            return new ValidDocument(tenant, id, op, null, null, null, null, null, Map.of(), List.of(), null);
        }
        String contentType = text(doc, "contentType");
        if (contentType == null) {
            contentType = "text/plain";
        }
        String baseType = contentType.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
        if (!CONTENT_TYPES.contains(baseType)) {
            throw new Refusal(DlqReason.UNSUPPORTED_CONTENT_TYPE,
                    "'contentType' '" + contentType + "' is not one of " + new java.util.TreeSet<>(CONTENT_TYPES));
        }
        byte[] raw = body(doc, baseType);
        if (raw.length > config.maxTextBytes()) {
            throw new Refusal(DlqReason.TEXT_TOO_LARGE,
                    "the document is " + raw.length + " bytes; the limit is " + config.maxTextBytes());
        }
        Map<String, Object> metadata = metadata(doc.get("metadata"));
        List<String> tags = tags(doc.get("tags"));
        Long timestamp = timestamp(doc.get("timestamp"));
        String extracted = extractor.extract(baseType, raw, config.maxTextBytes()).strip();
        if (extracted.isEmpty()) {
            throw new Refusal(DlqReason.EMPTY_TEXT, "no text is left after extracting " + baseType);
        }
        String language = text(doc, "language");
        return new ValidDocument(tenant, id, op, text(doc, "title"), extracted, baseType, text(doc, "source"),
                language == null ? "en" : language, metadata, tags, timestamp);
    }

    /** The document's bytes: {@code text} as UTF-8, or the base64 {@code content} (required for binary formats). */
    private static byte[] body(ObjectNode doc, String contentType) throws Refusal {
        String content = text(doc, "content");
        if (content != null) {
            try {
                return java.util.Base64.getMimeDecoder().decode(content);
            } catch (IllegalArgumentException e) {
                throw new Refusal(DlqReason.INVALID_ENCODING, "'content' is not valid base64: " + e.getMessage());
            }
        }
        if (TextExtractor.binary(contentType)) {
            throw new Refusal(DlqReason.MISSING_TEXT, "'content' (base64) is required for " + contentType);
        }
        String text = text(doc, "text");
        if (text == null) {
            throw new Refusal(DlqReason.MISSING_TEXT, "'text' is required for op UPSERT");
        }
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void checkIds(String tenant, String id) throws Refusal {
        if (!TENANT.matcher(tenant).matches()) {
            throw new Refusal(DlqReason.INVALID_ID,
                    "'tenant' must match " + TENANT.pattern() + ", was '" + tenant + "'");
        }
        if (!ID.matcher(id).matches()) {
            throw new Refusal(DlqReason.INVALID_ID,
                    "'id' must be 1-512 characters without '/' or control characters");
        }
    }

    private static DocumentOp op(ObjectNode doc) throws Refusal {
        JsonNode op = doc.get("op");
        if (op == null || op.isNull()) {
            return DocumentOp.UPSERT;
        }
        if (op.isTextual()) {
            for (DocumentOp candidate : DocumentOp.values()) {
                if (candidate.name().equals(op.asText())) {
                    return candidate;
                }
            }
        }
        throw new Refusal(DlqReason.INVALID_OP, "'op' must be UPSERT or DELETE, was " + op);
    }

    private Map<String, Object> metadata(JsonNode node) throws Refusal {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new Refusal(DlqReason.METADATA_INVALID, "'metadata' must be an object, was " + node.getNodeType());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            JsonNode v = field.getValue();
            if (v.isContainerNode()) {
                throw new Refusal(DlqReason.METADATA_INVALID,
                        "'metadata." + field.getKey() + "' is " + v.getNodeType() + "; values must be strings, numbers or booleans");
            }
            out.put(field.getKey(), v.isNull() ? null : v.isNumber() ? v.numberValue() : v.isBoolean() ? v.booleanValue() : v.asText());
        }
        int size = utf8Length(node.toString());
        if (size > config.maxMetadataBytes()) {
            throw new Refusal(DlqReason.METADATA_INVALID,
                    "'metadata' is " + size + " bytes; the limit is " + config.maxMetadataBytes());
        }
        return out;
    }

    /** Optional; search filters on them, so each must be a usable term. */
    private static List<String> tags(JsonNode node) throws Refusal {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new Refusal(DlqReason.TAGS_INVALID, "'tags' must be an array of strings, was " + node.getNodeType());
        }
        if (node.size() > MAX_TAGS) {
            throw new Refusal(DlqReason.TAGS_INVALID, "'tags' has " + node.size() + " entries; the limit is " + MAX_TAGS);
        }
        List<String> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode tag = node.get(i);
            if (!tag.isTextual()) {
                throw new Refusal(DlqReason.TAGS_INVALID, "'tags[" + i + "]' must be a string, was " + tag.getNodeType());
            }
            int length = tag.asText().codePointCount(0, tag.asText().length());
            if (length < 1 || length > MAX_TAG_CHARS) {
                throw new Refusal(DlqReason.TAGS_INVALID,
                        "'tags[" + i + "]' has " + length + " characters; tags have 1-" + MAX_TAG_CHARS);
            }
            out.add(tag.asText());
        }
        return List.copyOf(out);
    }

    /** Optional ISO-8601 instant; null when absent (the Kafka record timestamp stands in). */
    private static Long timestamp(JsonNode node) throws Refusal {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new Refusal(DlqReason.TIMESTAMP_INVALID,
                    "'timestamp' must be an ISO-8601 string like 2026-05-01T12:00:00Z, was " + node.getNodeType());
        }
        try {
            return Instant.parse(node.asText()).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new Refusal(DlqReason.TIMESTAMP_INVALID,
                    "'timestamp' must be an ISO-8601 instant like 2026-05-01T12:00:00Z, was '" + node.asText() + "'");
        }
    }

    private static String text(ObjectNode doc, String field) throws Refusal {
        JsonNode node = doc.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            DlqReason reason = switch (field) {
                case "id" -> DlqReason.MISSING_ID;
                case "tenant" -> DlqReason.MISSING_TENANT;
                case "schema" -> DlqReason.UNKNOWN_SCHEMA;
                case "text", "content" -> DlqReason.MISSING_TEXT;
                default -> DlqReason.INVALID_JSON;
            };
            throw new Refusal(reason, "'" + field + "' must be a string, was " + node.getNodeType());
        }
        return node.asText();
    }

    static String decodeUtf8(byte[] bytes, String what) throws Refusal {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Refusal(DlqReason.INVALID_ENCODING, "the record " + what + " is not valid UTF-8");
        }
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

}
