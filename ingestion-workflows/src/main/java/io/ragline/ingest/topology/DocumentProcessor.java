package io.ragline.ingest.topology;

import io.ragline.core.chunk.TokenChunker;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.DlqReason;
import io.ragline.core.event.DlqRecord;
import io.ragline.core.event.DocumentOp;
import io.ragline.core.event.LifecycleEvent;
import io.ragline.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates each document, decides whether it is a new version, a delete or a no-op (same
 * content hash), and emits its chunks and its lifecycle event. Refused records go to the DLQ.
 * Under exactly-once processing the store update and all outputs commit together.
 */
final class DocumentProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(DocumentProcessor.class);

    private final DocumentValidator validator;
    private final TokenChunker chunker;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, VersionEntry> versions;

    DocumentProcessor(IngestConfig config, TokenChunker chunker) {
        this.validator = new DocumentValidator(config);
        this.chunker = chunker;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.versions = context.getStateStore(IngestTopology.VERSION_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        try {
            if (record.key() == null) {
                throw new Refusal(DlqReason.KEY_MISMATCH, "the record has no key; it must be <tenant>/<id>");
            }
            String key = DocumentValidator.decodeUtf8(record.key(), "key");
            ValidDocument doc = record.value() == null
                    ? validator.tombstone(key)
                    : validator.validate(key, record.value());
            if (doc.op() == DocumentOp.DELETE) {
                delete(doc, record.timestamp());
            } else {
                upsert(doc, record.timestamp());
            }
        } catch (Refusal refusal) {
            refuse(record, refusal.reason, refusal.getMessage());
        }
    }

    private void upsert(ValidDocument doc, long timestamp) {
        String hash = contentHash(doc);
        VersionEntry previous = versions.get(doc.key());
        if (previous != null && !previous.deleted() && previous.contentHash().equals(hash)) {
            return; // identical content: nothing to do (the contract's de-duplication)
        }
        long version = previous == null ? 1 : previous.version() + 1;
        String title = chunker.fitTitle(doc.title());
        List<String> texts = chunker.chunk(title, doc.text());
        long documentTime = doc.timestamp() == null ? timestamp : doc.timestamp();
        List<String> tags = doc.tags().isEmpty() ? null : doc.tags();
        for (int seq = 0; seq < texts.size(); seq++) {
            ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, doc.tenant(), doc.id(), version,
                    ChunkEvent.chunkId(doc.tenant(), doc.id(), version, seq), seq, texts.size(), title,
                    texts.get(seq), doc.source(), doc.language(), doc.metadata(), tags, documentTime);
            context.forward(new Record<>(bytes(doc.key()), Json.write(chunk), timestamp), IngestTopology.CHUNKS_SINK);
        }
        LifecycleEvent event = new LifecycleEvent(LifecycleEvent.SCHEMA, LifecycleEvent.LifecycleOp.INDEX,
                doc.tenant(), doc.id(), version, texts.size(), hash, doc.title(), doc.source(), doc.language(),
                doc.metadata(), timestamp);
        context.forward(new Record<>(bytes(doc.key()), Json.write(event), timestamp), IngestTopology.LIFECYCLE_SINK);
        versions.put(doc.key(), new VersionEntry(version, hash, false));
    }

    private void delete(ValidDocument doc, long timestamp) {
        VersionEntry previous = versions.get(doc.key());
        if (previous == null || previous.deleted()) {
            return; // nothing of it exists: deleting again changes nothing
        }
        long version = previous.version() + 1;
        LifecycleEvent event = new LifecycleEvent(LifecycleEvent.SCHEMA, LifecycleEvent.LifecycleOp.DELETE,
                doc.tenant(), doc.id(), version, 0, null, null, null, null, null, timestamp);
        context.forward(new Record<>(bytes(doc.key()), Json.write(event), timestamp), IngestTopology.LIFECYCLE_SINK);
        versions.put(doc.key(), new VersionEntry(version, previous.contentHash(), true));
    }

    private void refuse(Record<byte[], byte[]> record, DlqReason reason, String detail) {
        RecordMetadata source = context.recordMetadata().orElse(null);
        String value = null;
        String encoding = null;
        if (record.value() != null) {
            try {
                value = DocumentValidator.decodeUtf8(record.value(), "value");
                encoding = "utf-8";
            } catch (Refusal notUtf8) {
                value = Base64.getEncoder().encodeToString(record.value());
                encoding = "base64";
            }
        }
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        DlqRecord dlq = new DlqRecord(DlqRecord.SCHEMA, reason, detail,
                source == null ? null : source.topic(), source == null ? -1 : source.partition(),
                source == null ? -1 : source.offset(), key, value, encoding, System.currentTimeMillis());
        RecordHeaders headers = new RecordHeaders();
        headers.add(DlqRecord.REASON_HEADER, bytes(reason.name()));
        log.debug("refused record {}: {} ({})", key, reason, detail);
        context.forward(new Record<>(record.key(), Json.write(dlq), record.timestamp(), headers),
                IngestTopology.DLQ_SINK);
    }

    /** Everything that changes what search returns is part of the content identity. */
    static String contentHash(ValidDocument doc) {
        TreeMap<String, Object> canonical = new TreeMap<>();
        canonical.put("title", doc.title());
        canonical.put("text", doc.text());
        canonical.put("contentType", doc.contentType());
        canonical.put("source", doc.source());
        canonical.put("language", doc.language());
        canonical.put("metadata", new TreeMap<>(doc.metadata()));
        // only when present, so documents published before these fields existed keep their hash
        if (!doc.tags().isEmpty()) {
            canonical.put("tags", doc.tags());
        }
        if (doc.timestamp() != null) {
            canonical.put("timestamp", doc.timestamp());
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(Json.write(canonical)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
