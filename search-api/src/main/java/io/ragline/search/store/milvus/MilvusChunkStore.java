package io.ragline.search.store.milvus;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.vector.request.AnnSearchReq;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.HybridSearchReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.request.data.BaseVector;
import io.milvus.v2.service.vector.request.data.EmbeddedText;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.request.ranker.RRFRanker;
import io.milvus.v2.service.vector.response.SearchResp;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.search.index.ChunkHit;
import io.ragline.search.index.ChunkIndex;
import io.ragline.search.index.ChunkQuery;
import io.ragline.search.index.Granularity;
import io.ragline.search.index.SearchMode;
import io.ragline.search.index.SearchPage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chunk store on Milvus (2.6.2 or newer), for indexes that outgrow one node: one collection,
 * {@code tenant} as its partition key, BM25 computed by Milvus from the chunk text, HNSW (inner
 * product) over the normalised dense vectors, hybrid search fused by Milvus's RRF ranker.
 *
 * <p><b>Versions without transactions.</b> A chunk is written inactive unless its version is
 * already the active one. Activation then (1) flips {@code active} on every chunk of the new
 * version in <em>one</em> partial upsert and (2) deletes the older versions. Every search
 * filters {@code active == true}. Milvus assigns one timestamp to a request and searches read
 * a snapshot at a timestamp, so a search sees either none or all of step 1: never half a
 * version. Between steps 1 and 2 (one round trip) both versions are active; in that window a
 * document-granularity search still returns one chunk per document (grouped by {@code doc_key}),
 * and a chunk-granularity search drops chunks of a version older than another of the same
 * document in the same page. What remains possible in that window: a page holding only old
 * chunks of a document whose new chunks ranked outside it, i.e. the old version served a
 * moment longer, which is what it was until then. A crash between the steps leaves it so until
 * the snapshot is applied again (the indexer re-applies document states at every start).
 *
 * <p><b>What differs from the Lucene store.</b> RRF is Milvus's own ({@code k} from the fusion;
 * its RRF ranker has no weights, so weights other than zero are ignored) and fuses chunks even
 * with document granularity, where the Lucene store fuses documents; Milvus reports no rank per
 * retriever, so hybrid hits have an empty {@code matchedBy}. Keyword scoring is Milvus's BM25
 * with its English analyzer (no per-language analysers), so scores and ties differ; snippets are
 * not highlighted. Snapshots and restores are Milvus's (milvus-backup), not this class's.
 * Waiting for chunks polls (Milvus pushes no change notifications). Several replicas may share
 * the collection: each indexer's writes are idempotent upserts and deletes by key.
 */
public final class MilvusChunkStore implements ChunkIndex {
    /** Hybrid candidate depth for results up to this rank; deeper pages use the query's maximum depth. */
    private static final int SHALLOW = 100;
    /** Chunks each retriever hands over per document wanted, with document granularity. */
    private static final int CHUNKS_PER_DOCUMENT = 5;

    /** What this replica knows of one document: as in the Lucene store. */
    private record DocState(long activeVersion, long deletedUpTo, long revision) {
    }

    private final MilvusClientV2 client;
    private final String collection;
    private final int dimension;
    private final MilvusOffsets offsets;
    private final Map<String, DocState> states = new ConcurrentHashMap<>();
    private final Map<String, Long> visibleRevisions = new ConcurrentHashMap<>();
    private final Map<String, Long> pendingRevisions = new HashMap<>();

    /** Uses {@code client} (closed with this store), creating the collection if it is missing. */
    public MilvusChunkStore(MilvusClientV2 client, String collection, int dimension) {
        this.client = client;
        this.collection = collection;
        this.dimension = dimension;
        MilvusSchema.ensure(client, collection, dimension);
        this.offsets = new MilvusOffsets(client, collection, dimension);
    }

    /** Connects to {@code uri} (e.g. http://milvus:19530); {@code token} may be empty. */
    public static MilvusChunkStore connect(String uri, String token, String collection, int dimension) {
        ConnectConfig.ConnectConfigBuilder config = ConnectConfig.builder().uri(uri);
        if (token != null && !token.isBlank()) {
            config.token(token);
        }
        MilvusClientV2 client = new MilvusClientV2(config.build());
        try {
            return new MilvusChunkStore(client, collection, dimension);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    @Override
    public synchronized void upsert(EmbeddingEvent embedding) {
        ChunkEvent chunk = embedding.chunk();
        DocState state = states.get(chunk.documentKey());
        if (state != null && (chunk.version() < state.activeVersion() || chunk.version() <= state.deletedUpTo())) {
            return; // stale: a newer version is served, or the document was deleted
        }
        boolean active = state != null && state.activeVersion() == chunk.version();
        client.upsert(UpsertReq.builder().collectionName(collection)
                .data(List.of(MilvusRows.row(embedding, active))).build());
    }

    @Override
    public synchronized void deleteChunk(String chunkId) {
        client.delete(DeleteReq.builder().collectionName(collection).ids(List.of(chunkId)).build());
    }

    @Override
    public synchronized void apply(DocumentState snapshot) {
        String docKey = snapshot.documentKey();
        DocState previous = states.get(docKey);
        if (previous != null && snapshot.revision() <= previous.revision()) {
            return;
        }
        long deletedUpTo = previous == null ? 0 : previous.deletedUpTo();
        if (snapshot.status() == DocumentStatus.DELETED) {
            deletedUpTo = Math.max(deletedUpTo, snapshot.version());
            delete(MilvusFilter.upToVersion(docKey, deletedUpTo));
        } else if (snapshot.activeVersion() > 0) {
            long active = snapshot.activeVersion();
            activate(snapshot.tenant(), docKey, active);
            delete(MilvusFilter.upToVersion(docKey, active - 1));
        }
        long activeVersion = snapshot.status() == DocumentStatus.DELETED ? 0 : snapshot.activeVersion();
        states.put(docKey, new DocState(activeVersion, deletedUpTo, snapshot.revision()));
        pendingRevisions.put(docKey, snapshot.revision());
    }

    /** Step 1 of an activation: every chunk of the version becomes active in one request. */
    private void activate(String tenant, String docKey, long version) {
        MilvusFilter filter = MilvusFilter.forVersion(docKey, version);
        var rows = client.query(QueryReq.builder().collectionName(collection)
                .filter(filter.expression()).filterTemplateValues(new HashMap<>(filter.values()))
                .outputFields(List.of(MilvusSchema.CHUNK_ID, MilvusSchema.ACTIVE))
                .consistencyLevel(ConsistencyLevel.STRONG)
                .build()).getQueryResults();
        List<com.google.gson.JsonObject> flips = new ArrayList<>();
        for (var row : rows) {
            if (!Boolean.TRUE.equals(row.getEntity().get(MilvusSchema.ACTIVE))) {
                flips.add(MilvusRows.activation((String) row.getEntity().get(MilvusSchema.CHUNK_ID), tenant));
            }
        }
        if (!flips.isEmpty()) {
            client.upsert(UpsertReq.builder().collectionName(collection).data(flips).partialUpdate(true).build());
        }
    }

    private void delete(MilvusFilter filter) {
        client.delete(DeleteReq.builder().collectionName(collection)
                .filter(filter.expression()).filterTemplateValues(new HashMap<>(filter.values())).build());
    }

    /** Milvus makes writes searchable by itself; this only publishes the revisions applied so far. */
    @Override
    public void refresh() {
        Map<String, Long> applied;
        synchronized (this) {
            applied = new HashMap<>(pendingRevisions);
            pendingRevisions.clear();
        }
        visibleRevisions.putAll(applied);
    }

    @Override
    public void commit(Map<String, Long> positions) {
        offsets.write(positions);
    }

    @Override
    public Map<String, Long> committedOffsets() {
        return offsets.read();
    }

    @Override
    public synchronized void resetStates() {
        states.clear();
        pendingRevisions.clear();
    }

    @Override
    public int vectorDimension() {
        return MilvusSchema.dimension(client, collection);
    }

    @Override
    public long indexedChunks(String tenant, String documentId, long version) {
        return count(MilvusFilter.forVersion(tenant + "/" + documentId, version));
    }

    @Override
    public long appliedRevision(String tenant, String documentId) {
        return visibleRevisions.getOrDefault(tenant + "/" + documentId, 0L);
    }

    /** Active chunks, and documents counted by their first chunk (every version has one). */
    @Override
    public Map<String, Long> counts() {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        counts.put("documents", count(new MilvusFilter(MilvusSchema.ACTIVE + " == true and "
                + MilvusSchema.SEQ + " == 0", Map.of())));
        counts.put("chunks", count(new MilvusFilter(MilvusSchema.ACTIVE + " == true", Map.of())));
        return counts;
    }

    private long count(MilvusFilter filter) {
        var rows = client.query(QueryReq.builder().collectionName(collection)
                .filter(filter.expression()).filterTemplateValues(new HashMap<>(filter.values()))
                .outputFields(List.of("count(*)"))
                .consistencyLevel(ConsistencyLevel.STRONG)
                .build()).getQueryResults();
        return rows.isEmpty() ? 0 : ((Number) rows.get(0).getEntity().get("count(*)")).longValue();
    }

    /** One request: Milvus pages with offset and limit; one extra result tells whether more follow. */
    @Override
    public SearchPage search(ChunkQuery query) {
        boolean noText = query.text() == null || query.text().isBlank();
        if (noText && query.mode() == SearchMode.KEYWORD) {
            return new SearchPage(List.of(), false);
        }
        SearchMode mode = effectiveMode(query, noText);
        MilvusFilter filter = MilvusFilter.forSearch(query.tenant(), query.filters());
        boolean grouped = query.granularity() == Granularity.DOCUMENT;
        int limit = query.topK() + 1;
        SearchResp response = switch (mode) {
            case KEYWORD -> client.search(single(query, limit, filter, grouped, MilvusSchema.SPARSE,
                    new EmbeddedText(query.text()), IndexParam.MetricType.BM25));
            case VECTOR -> client.search(single(query, limit, filter, grouped, MilvusSchema.VECTOR,
                    new FloatVec(query.vector()), IndexParam.MetricType.IP));
            case HYBRID -> client.hybridSearch(hybrid(query, limit, filter, grouped));
        };
        List<ChunkHit> hits = new ArrayList<>();
        for (SearchResp.SearchResult r : response.getSearchResults().getFirst()) {
            int rank = query.offset() + hits.size() + 1;
            // Milvus's hybrid search reports no per-retriever ranks: matchedBy stays empty there
            Map<String, Integer> matchedBy = switch (mode) {
                case KEYWORD -> Map.of("keyword", rank);
                case VECTOR -> Map.of("vector", rank);
                case HYBRID -> Map.of();
            };
            hits.add(MilvusRows.hit(r.getEntity(), r.getScore(), matchedBy));
        }
        boolean more = hits.size() > query.topK();
        List<ChunkHit> page = hits.subList(0, Math.min(query.topK(), hits.size()));
        return new SearchPage(grouped ? page : newestVersionOnly(page), more);
    }

    /**
     * Hybrid without words to match is the vector ranking alone (as in the Lucene store); a zero
     * fusion weight, which Milvus's unweighted RRF cannot express, leaves the other retriever alone.
     */
    private static SearchMode effectiveMode(ChunkQuery query, boolean noText) {
        if (query.mode() != SearchMode.HYBRID) {
            return query.mode();
        }
        if (noText || query.fusion().keywordWeight() == 0) {
            return SearchMode.VECTOR;
        }
        return query.fusion().vectorWeight() == 0 ? SearchMode.KEYWORD : SearchMode.HYBRID;
    }

    private SearchReq single(ChunkQuery query, int limit, MilvusFilter filter, boolean grouped, String field,
                             BaseVector data, IndexParam.MetricType metric) {
        SearchReq.SearchReqBuilder b = SearchReq.builder().collectionName(collection)
                .annsField(field).metricType(metric).data(List.of(data))
                .filter(filter.expression()).filterTemplateValues(new HashMap<>(filter.values()))
                .offset(query.offset()).limit(limit)
                .outputFields(MilvusSchema.OUTPUT)
                .consistencyLevel(ConsistencyLevel.SESSION);
        if (metric == IndexParam.MetricType.IP) {
            b.searchParams(Map.of("ef", Math.max(64, query.offset() + limit)));
        }
        if (grouped) {
            b.groupByFieldName(MilvusSchema.DOC_KEY);
        }
        return b.build();
    }

    /**
     * Both retrievers rank the same filtered chunks, Milvus fuses them with its RRF ranker. Each
     * hands over a fixed-depth candidate list that depends on the page only through two tiers,
     * as in the Lucene store, so consecutive pages come from the same ranking.
     */
    private HybridSearchReq hybrid(ChunkQuery query, int limit, MilvusFilter filter, boolean grouped) {
        int results = query.offset() + limit <= SHALLOW ? SHALLOW : ChunkQuery.MAX_DEPTH + 1;
        long depth = grouped ? (long) results * CHUNKS_PER_DOCUMENT : results;
        Map<String, Object> values = new HashMap<>(filter.values());
        AnnSearchReq keyword = AnnSearchReq.builder().vectorFieldName(MilvusSchema.SPARSE)
                .vectors(List.of(new EmbeddedText(query.text()))).metricType(IndexParam.MetricType.BM25)
                .filter(filter.expression()).filterTemplateValues(values).limit(depth).build();
        AnnSearchReq vector = AnnSearchReq.builder().vectorFieldName(MilvusSchema.VECTOR)
                .vectors(List.of(new FloatVec(query.vector()))).metricType(IndexParam.MetricType.IP)
                .params("{\"ef\": " + Math.max(64, depth) + "}")
                .filter(filter.expression()).filterTemplateValues(values).limit(depth).build();
        HybridSearchReq.HybridSearchReqBuilder b = HybridSearchReq.builder().collectionName(collection)
                .searchRequests(List.of(keyword, vector))
                .ranker(new RRFRanker(query.fusion().k()))
                .offset(query.offset()).limit(limit)
                .outFields(MilvusSchema.OUTPUT)
                .consistencyLevel(ConsistencyLevel.SESSION);
        if (grouped) {
            b.groupByFieldName(MilvusSchema.DOC_KEY);
        }
        return b.build();
    }

    /** Drops chunks of a document's version when a newer version's chunks are on the same page. */
    private static List<ChunkHit> newestVersionOnly(List<ChunkHit> hits) {
        Map<String, Long> newest = new HashMap<>();
        for (ChunkHit h : hits) {
            newest.merge(h.tenant() + "/" + h.documentId(), h.version(), Math::max);
        }
        return hits.stream().filter(h -> newest.get(h.tenant() + "/" + h.documentId()) == h.version()).toList();
    }

    @Override
    public void close() {
        client.close();
    }
}
