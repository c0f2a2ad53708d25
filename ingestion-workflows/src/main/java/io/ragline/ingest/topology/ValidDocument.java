package io.ragline.ingest.topology;

import io.ragline.core.event.DocumentOp;
import java.util.Map;

/** A document that passed validation; text is the extracted plain text. */
record ValidDocument(String tenant, String id, DocumentOp op, String title, String text, String contentType,
                     String source, String language, Map<String, Object> metadata) {
    String key() {
        return tenant + "/" + id;
    }
}
