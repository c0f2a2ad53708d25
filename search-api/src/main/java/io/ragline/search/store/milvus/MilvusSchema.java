package io.ragline.search.store.milvus;

import io.milvus.common.clientenum.FunctionType;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import java.util.List;
import java.util.Map;

/**
 * The chunk collection: its field names, and its creation when missing. One row per chunk;
 * {@code tenant} is the partition key, so each tenant's chunks live in their own partitions and
 * every search names its tenant. The BM25 function turns {@code search_text} (title and text,
 * as Lucene indexes them) into the sparse vector {@code text_sparse} on the server.
 */
final class MilvusSchema {
    static final String CHUNK_ID = "chunk_id";
    static final String TENANT = "tenant";
    /** {@code <tenant>/<documentId>}, as {@code ChunkEvent.documentKey()}. */
    static final String DOC_KEY = "doc_key";
    static final String DOCUMENT_ID = "document_id";
    static final String VERSION = "version";
    static final String SEQ = "seq";
    static final String ACTIVE = "active";
    static final String TITLE = "title";
    /** The chunk's text as returned to callers. */
    static final String TEXT = "text";
    /** What BM25 sees: title and text, like the Lucene store's indexed text. */
    static final String SEARCH_TEXT = "search_text";
    static final String SPARSE = "text_sparse";
    static final String VECTOR = "vector";
    static final String TAGS = "tags";
    static final String SOURCE = "source";
    static final String LANGUAGE = "language";
    static final String METADATA = "metadata";
    static final String TIMESTAMP = "timestamp";

    /** Fields a search returns (vectors stay on the server). */
    static final List<String> OUTPUT = List.of(CHUNK_ID, TENANT, DOC_KEY, DOCUMENT_ID, VERSION, SEQ, TITLE, TEXT,
            SOURCE, METADATA, TAGS, TIMESTAMP);

    private static final int MAX_TAGS = 64;

    private MilvusSchema() {
    }

    /**
     * Creates and loads the collection if it does not exist; otherwise checks that its vectors
     * have the model's dimension (a collection cannot mix models, as a Lucene index cannot).
     */
    static void ensure(MilvusClientV2 client, String collection, int dimension) {
        boolean exists = client.hasCollection(HasCollectionReq.builder().collectionName(collection).build());
        if (exists) {
            int existing = dimension(client, collection);
            if (existing != dimension) {
                throw new IllegalStateException("the Milvus collection " + collection + " holds " + existing
                        + "-dimensional vectors but the embedding model produces " + dimension
                        + ": use the model it was built with, or another collection (RAGLINE_MILVUS_COLLECTION)");
            }
        } else {
            client.createCollection(CreateCollectionReq.builder()
                    .collectionName(collection)
                    .collectionSchema(schema(dimension))
                    .indexParams(indexes())
                    .build());
        }
        // a no-op when loaded already; searches need a loaded collection
        client.loadCollection(LoadCollectionReq.builder().collectionName(collection).build());
    }

    static int dimension(MilvusClientV2 client, String collection) {
        var described = client.describeCollection(DescribeCollectionReq.builder().collectionName(collection).build());
        return described.getCollectionSchema().getField(VECTOR).getDimension();
    }

    private static CreateCollectionReq.CollectionSchema schema(int dimension) {
        CreateCollectionReq.CollectionSchema schema = CreateCollectionReq.CollectionSchema.builder()
                .enableDynamicField(false)
                .build();
        schema.addField(varchar(CHUNK_ID, 2048).isPrimaryKey(true).autoID(false).build());
        schema.addField(varchar(TENANT, 512).isPartitionKey(true).build());
        schema.addField(varchar(DOC_KEY, 1536).build());
        schema.addField(varchar(DOCUMENT_ID, 1024).build());
        schema.addField(AddFieldReq.builder().fieldName(VERSION).dataType(DataType.Int64).build());
        schema.addField(AddFieldReq.builder().fieldName(SEQ).dataType(DataType.Int32).build());
        schema.addField(AddFieldReq.builder().fieldName(ACTIVE).dataType(DataType.Bool).build());
        schema.addField(varchar(TITLE, 8192).isNullable(true).build());
        schema.addField(varchar(TEXT, 65535).build());
        schema.addField(varchar(SEARCH_TEXT, 65535).enableAnalyzer(true)
                .analyzerParams(Map.of("type", "english")).build());
        schema.addField(AddFieldReq.builder().fieldName(SPARSE).dataType(DataType.SparseFloatVector).build());
        schema.addField(AddFieldReq.builder().fieldName(VECTOR).dataType(DataType.FloatVector).dimension(dimension).build());
        schema.addField(AddFieldReq.builder().fieldName(TAGS).dataType(DataType.Array).elementType(DataType.VarChar)
                .maxCapacity(MAX_TAGS).maxLength(256).build());
        schema.addField(varchar(SOURCE, 8192).isNullable(true).build());
        schema.addField(varchar(LANGUAGE, 64).isNullable(true).build());
        schema.addField(AddFieldReq.builder().fieldName(METADATA).dataType(DataType.JSON).build());
        schema.addField(AddFieldReq.builder().fieldName(TIMESTAMP).dataType(DataType.Int64).isNullable(true).build());
        schema.addFunction(CreateCollectionReq.Function.builder()
                .name("search_text_bm25")
                .functionType(FunctionType.BM25)
                .inputFieldNames(List.of(SEARCH_TEXT))
                .outputFieldNames(List.of(SPARSE))
                .build());
        return schema;
    }

    private static AddFieldReq.AddFieldReqBuilder<?> varchar(String name, int maxLength) {
        return AddFieldReq.builder().fieldName(name).dataType(DataType.VarChar).maxLength(maxLength);
    }

    private static List<IndexParam> indexes() {
        return List.of(
                // vectors are normalised, so inner product ranks as cosine does, and cheaper
                IndexParam.builder().fieldName(VECTOR).indexType(IndexParam.IndexType.HNSW)
                        .metricType(IndexParam.MetricType.IP)
                        .extraParams(Map.of("M", 16, "efConstruction", 200)).build(),
                // Lucene's BM25 defaults, so both stores score words alike
                IndexParam.builder().fieldName(SPARSE).indexType(IndexParam.IndexType.SPARSE_INVERTED_INDEX)
                        .metricType(IndexParam.MetricType.BM25)
                        .extraParams(Map.of("inverted_index_algo", "DAAT_MAXSCORE", "bm25_k1", 1.2, "bm25_b", 0.75))
                        .build(),
                // scalar indexes for the filters every search applies
                IndexParam.builder().fieldName(DOC_KEY).indexType(IndexParam.IndexType.INVERTED).build(),
                IndexParam.builder().fieldName(ACTIVE).indexType(IndexParam.IndexType.INVERTED).build(),
                IndexParam.builder().fieldName(TAGS).indexType(IndexParam.IndexType.INVERTED).build());
    }
}
