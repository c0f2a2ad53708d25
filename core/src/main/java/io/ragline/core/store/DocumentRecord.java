package io.ragline.core.store;

import io.ragline.core.event.DocumentStatus;
import java.time.Instant;
import java.util.Map;

/** A document's row in the metadata store. */
public record DocumentRecord(
        String tenant,
        String id,
        String title,
        String source,
        String language,
        long version,
        long activeVersion,
        DocumentStatus status,
        int chunkCount,
        int activeChunkCount,
        String contentHash,
        Map<String, Object> metadata,
        String reason,
        long revision,
        Instant createdAt,
        Instant updatedAt) {
}
