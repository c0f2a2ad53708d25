package io.ragline.ingest.topology;

import io.ragline.core.event.DocumentOp;
import java.util.List;
import java.util.Map;

/**
 * A document that passed validation; text is the extracted plain text. {@code tags} is never
 * null; {@code timestamp} (epoch millis) is null when the document named none.
 */
record ValidDocument(String tenant, String id, DocumentOp op, String title, String text, String contentType,
                     String source, String language, Map<String, Object> metadata, List<String> tags,
                     Long timestamp) {
    String key() {
        return tenant + "/" + id;
    }
}
