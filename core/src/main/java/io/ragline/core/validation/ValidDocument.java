package io.ragline.core.validation;

import io.ragline.core.event.DocumentOp;
import java.util.Map;

/** A document that passed validation; text is the extracted plain text. */
public record ValidDocument(String tenant, String id, DocumentOp op, String title, String text, String contentType,
                     String source, String language, Map<String, Object> metadata) {
    public String key() {
        return tenant + "/" + id;
    }
}
