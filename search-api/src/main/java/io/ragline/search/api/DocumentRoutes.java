package io.ragline.search.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.ragline.core.event.DlqReason;
import io.ragline.core.event.DocumentOp;
import io.ragline.core.event.DocumentV1;
import io.ragline.core.json.Json;
import io.ragline.core.metrics.MetricNames;
import io.ragline.core.store.ApiKey;
import io.ragline.core.validation.ContentTypes;
import io.ragline.core.validation.DocumentLimits;
import io.ragline.core.validation.DocumentValidator;
import io.ragline.core.validation.Refusal;
import io.ragline.core.validation.TextExtraction;
import io.ragline.core.validation.ValidDocument;
import io.ragline.search.ingest.DocumentPublisher;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * HTTP ingest for producers that cannot speak Kafka: the same {@code ragline.document.v1} records,
 * checked by the same validator the ingest topology uses (so a refusal carries the reason the DLQ
 * would give), then published to {@code ragline.documents}. Text extraction (Tika) stays in the
 * topology: a PDF that cannot be read, or HTML with no text, still ends in the DLQ.
 */
final class DocumentRoutes {
    /** HTTP does not extract: binary formats are checked for their base64 only, text as it is. */
    private static final TextExtraction DEFERRED = (contentType, bytes, maxChars) ->
            ContentTypes.binary(contentType) ? contentType : new String(bytes, StandardCharsets.UTF_8);

    private final DocumentValidator validator;
    private final DocumentPublisher publisher;
    private final MeterRegistry registry;
    private final long maxBodyBytes;

    DocumentRoutes(DocumentLimits limits, DocumentPublisher publisher, MeterRegistry registry) {
        this.validator = new DocumentValidator(limits, DEFERRED);
        this.publisher = publisher;
        this.registry = registry;
        this.maxBodyBytes = maxBodyBytes(limits);
    }

    /** A document of the limit as base64 (4/3, plus MIME line breaks) and its other fields. */
    static long maxBodyBytes(DocumentLimits limits) {
        return (long) limits.maxTextBytes() * 3 / 2 + limits.maxMetadataBytes() + 64 * 1024;
    }

    long maxBodyBytes() {
        return maxBodyBytes;
    }

    void upsert(Context ctx) {
        String tenant = SearchApi.tenant(ctx, ApiKey.Scope.ingest);
        byte[] value = RequestBodies.read(ctx, maxBodyBytes);
        String id = "";
        JsonNode root = parseOrNull(value);
        if (root instanceof ObjectNode doc) {
            JsonNode named = doc.get("tenant");
            if (named == null || named.isNull() || (named.isTextual() && named.asText().isBlank())) {
                doc.put("tenant", tenant); // the key decides the tenant; producers may leave it out
                value = Json.write(doc);
            } else if (named.isTextual() && !named.asText().equals(tenant)) {
                throw new ProblemException(403, "foreign-tenant", "Tenant not allowed",
                        "'tenant' is '" + named.asText() + "' but the request acts for tenant '" + tenant + "'");
            }
            JsonNode idNode = doc.get("id");
            id = idNode != null && idNode.isTextual() ? idNode.asText() : "";
        }
        ValidDocument valid = validate(tenant + "/" + id, value);
        accepted(ctx, valid, publish(valid, value));
    }

    void delete(Context ctx) {
        String tenant = SearchApi.tenant(ctx, ApiKey.Scope.ingest);
        String id = ctx.pathParam("id");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema", DocumentV1.SCHEMA);
        doc.put("id", id);
        doc.put("tenant", tenant);
        doc.put("op", DocumentOp.DELETE.name());
        byte[] value = Json.write(doc);
        ValidDocument valid = validate(tenant + "/" + id, value);
        accepted(ctx, valid, publish(valid, value));
    }

    private ValidDocument validate(String key, byte[] value) {
        try {
            return validator.validate(key, value);
        } catch (Refusal refusal) {
            throw refused(refusal.reason, refusal.getMessage());
        }
    }

    /** The DLQ reason becomes the problem type ({@code INVALID_ID} → {@code invalid-id}) and a {@code reason} member. */
    static ProblemException refused(DlqReason reason, String detail) {
        int status = reason == DlqReason.TEXT_TOO_LARGE ? 413 : 400;
        return new ProblemException(status, reason.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                "Invalid document", detail, Map.of("reason", reason.name()));
    }

    private DocumentPublisher.Published publish(ValidDocument doc, byte[] value) {
        try {
            return publisher.publish(doc.tenant(), doc.id(), value);
        } catch (DocumentPublisher.PublishFailed e) {
            if (e.getCause() instanceof RecordTooLargeException) {
                throw new ProblemException(413, "record-too-large", "Document too large for the log",
                        "Kafka refused the record as too large (" + value.length + " bytes): " + e.getMessage());
            }
            throw new ProblemException(503, "publish-failed", "Document not accepted",
                    "Kafka did not acknowledge the document; retry later: " + e.getMessage());
        }
    }

    private void accepted(Context ctx, ValidDocument doc, DocumentPublisher.Published published) {
        registry.counter(MetricNames.HTTP_DOCUMENTS, "op", doc.op().name()).increment();
        String status = "/v1/documents/" + URLEncoder.encode(doc.id(), StandardCharsets.UTF_8).replace("+", "%20");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", published.key());
        body.put("id", doc.id());
        body.put("tenant", doc.tenant());
        body.put("op", doc.op().name());
        body.put("status", status);
        body.put("partition", published.partition());
        body.put("offset", published.offset());
        ctx.status(202).header("Location", status).contentType("application/json").result(Json.write(body));
    }

    private static JsonNode parseOrNull(byte[] value) {
        try {
            return Json.mapper().readTree(value);
        } catch (java.io.IOException e) {
            return null; // the validator names the fault with its DLQ reason
        }
    }
}
