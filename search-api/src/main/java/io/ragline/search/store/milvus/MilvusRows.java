package io.ragline.search.store.milvus;

import com.fasterxml.jackson.core.type.TypeReference;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.core.json.Json;
import io.ragline.search.index.ChunkHit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Converts between ragline's records and Milvus rows (Gson objects in, entity maps out). */
final class MilvusRows {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private MilvusRows() {
    }

    /** The full row of an embedded chunk; {@code active} as the store decided. */
    static JsonObject row(EmbeddingEvent embedding, boolean active) {
        ChunkEvent chunk = embedding.chunk();
        JsonObject row = new JsonObject();
        row.addProperty(MilvusSchema.CHUNK_ID, chunk.chunkId());
        row.addProperty(MilvusSchema.TENANT, chunk.tenant());
        row.addProperty(MilvusSchema.DOC_KEY, chunk.documentKey());
        row.addProperty(MilvusSchema.DOCUMENT_ID, chunk.documentId());
        row.addProperty(MilvusSchema.VERSION, chunk.version());
        row.addProperty(MilvusSchema.SEQ, chunk.seq());
        row.addProperty(MilvusSchema.ACTIVE, active);
        row.addProperty(MilvusSchema.TITLE, chunk.title());
        row.addProperty(MilvusSchema.TEXT, chunk.text());
        row.addProperty(MilvusSchema.SEARCH_TEXT, chunk.embeddingText());
        JsonArray vector = new JsonArray();
        for (float f : embedding.vectorArray()) {
            vector.add(f);
        }
        row.add(MilvusSchema.VECTOR, vector);
        JsonArray tags = new JsonArray();
        if (chunk.tags() != null) {
            chunk.tags().forEach(tags::add);
        }
        row.add(MilvusSchema.TAGS, tags);
        row.addProperty(MilvusSchema.SOURCE, chunk.source());
        row.addProperty(MilvusSchema.LANGUAGE, chunk.language());
        row.add(MilvusSchema.METADATA, JsonParser.parseString(
                Json.writeString(chunk.metadata() == null ? Map.of() : chunk.metadata())));
        row.addProperty(MilvusSchema.TIMESTAMP, chunk.timestamp());
        return row;
    }

    /** The fields a partial upsert changes to activate a chunk (the partition key routes it). */
    static JsonObject activation(String chunkId, String tenant) {
        JsonObject row = new JsonObject();
        row.addProperty(MilvusSchema.CHUNK_ID, chunkId);
        row.addProperty(MilvusSchema.TENANT, tenant);
        row.addProperty(MilvusSchema.ACTIVE, true);
        return row;
    }

    /** @param matchedBy each retriever that found the chunk and its 1-based rank there */
    static ChunkHit hit(Map<String, Object> entity, double score, Map<String, Integer> matchedBy) {
        return new ChunkHit(
                (String) entity.get(MilvusSchema.DOCUMENT_ID),
                (String) entity.get(MilvusSchema.TENANT),
                ((Number) entity.get(MilvusSchema.VERSION)).longValue(),
                (String) entity.get(MilvusSchema.CHUNK_ID),
                score,
                (String) entity.get(MilvusSchema.TITLE),
                (String) entity.get(MilvusSchema.TEXT),
                (String) entity.get(MilvusSchema.SOURCE),
                metadata(entity.get(MilvusSchema.METADATA)),
                PlainSnippet.of((String) entity.get(MilvusSchema.TEXT)),
                matchedBy);
    }

    /** JSON fields come back as Gson elements (or their text, depending on the call). */
    static Map<String, Object> metadata(Object value) {
        if (value == null) {
            return Map.of();
        }
        String json = value instanceof JsonElement element ? element.toString() : value.toString();
        try {
            return Json.mapper().readValue(json, MAP);
        } catch (IOException e) {
            throw new UncheckedIOException("metadata of a Milvus row is not a JSON object", e);
        }
    }
}
