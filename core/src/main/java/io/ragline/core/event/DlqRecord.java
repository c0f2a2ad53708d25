package io.ragline.core.event;

/**
 * A refused record on {@code ragline.documents.dlq}. Keeps the original key and value (as UTF-8
 * text, or base64 when the bytes were not UTF-8) so nothing is lost and it can be replayed.
 */
public record DlqRecord(
        String schema,
        DlqReason reason,
        String detail,
        String sourceTopic,
        int sourcePartition,
        long sourceOffset,
        String originalKey,
        String originalValue,
        String originalValueEncoding,
        long refusedAtMillis) {

    public static final String SCHEMA = "ragline.dlq.v1";
    /** Header carrying the reason code, so consumers can filter without parsing the value. */
    public static final String REASON_HEADER = "ragline.dlq.reason";
}
