package io.ragline.search.store.milvus;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.ragline.core.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kafka offsets the store reflects, kept in one row of the chunk collection itself: Milvus
 * has no commit metadata, and a row needs no second collection (which would need a vector field
 * of its own). The row is inactive and belongs to a reserved tenant, so no search can return it.
 * Milvus acknowledges a write once it is in its log, so offsets written after the chunks they
 * cover never run ahead of them; a replay after a crash re-upserts a few chunks, harmlessly.
 */
final class MilvusOffsets {
    static final String TENANT = "__ragline__";
    static final String ROW_ID = "__ragline__/offsets";

    private final MilvusClientV2 client;
    private final String collection;
    private final int dimension;

    MilvusOffsets(MilvusClientV2 client, String collection, int dimension) {
        this.client = client;
        this.collection = collection;
        this.dimension = dimension;
    }

    void write(Map<String, Long> offsets) {
        JsonObject row = new JsonObject();
        row.addProperty(MilvusSchema.CHUNK_ID, ROW_ID);
        row.addProperty(MilvusSchema.TENANT, TENANT);
        row.addProperty(MilvusSchema.DOC_KEY, ROW_ID);
        row.addProperty(MilvusSchema.DOCUMENT_ID, ROW_ID);
        row.addProperty(MilvusSchema.VERSION, 0L);
        row.addProperty(MilvusSchema.SEQ, -1);
        row.addProperty(MilvusSchema.ACTIVE, false);
        row.addProperty(MilvusSchema.TEXT, "");
        // one word rather than none: an empty BM25 input would make an empty sparse vector
        row.addProperty(MilvusSchema.SEARCH_TEXT, "offsets");
        JsonArray zeros = new JsonArray();
        for (int i = 0; i < dimension; i++) {
            zeros.add(0f);
        }
        row.add(MilvusSchema.VECTOR, zeros);
        row.add(MilvusSchema.TAGS, new JsonArray());
        row.add(MilvusSchema.METADATA, JsonParser.parseString(Json.writeString(offsets)));
        client.upsert(UpsertReq.builder().collectionName(collection).data(List.of(row)).build());
    }

    Map<String, Long> read() {
        var rows = client.query(QueryReq.builder().collectionName(collection)
                .ids(List.of(ROW_ID))
                .outputFields(List.of(MilvusSchema.METADATA))
                .consistencyLevel(ConsistencyLevel.STRONG)
                .build()).getQueryResults();
        if (rows.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> out = new LinkedHashMap<>();
        MilvusRows.metadata(rows.get(0).getEntity().get(MilvusSchema.METADATA))
                .forEach((k, v) -> out.put(k, ((Number) v).longValue()));
        return out;
    }
}
