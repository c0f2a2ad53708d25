package io.ragline.search;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ragline.core.event.IndexGenerations;
import io.ragline.core.model.Embedder;
import io.ragline.core.runtime.Health;
import io.ragline.core.runtime.Resources;
import io.ragline.core.store.ApiKeyStore;
import io.ragline.core.store.MetadataStore;
import io.ragline.core.validation.DocumentLimits;
import io.ragline.search.api.HttpFaults;
import io.ragline.search.api.SearchApi;
import io.ragline.search.generation.GenerationDirs;
import io.ragline.search.generation.GenerationalIndex;
import io.ragline.search.index.ChunkIndex;
import io.ragline.search.index.DlqTail;
import io.ragline.search.index.Fusion;
import io.ragline.search.index.Indexer;
import io.ragline.search.index.IndexerSupervisor;
import io.ragline.search.index.LuceneIndex;
import io.ragline.search.ingest.DocumentPublisher;
import io.ragline.search.service.SearchService;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * One search replica: its chunk store (its own Lucene index, or a shared Milvus collection) kept up
 * to date from the logs by the indexer, and the REST API over it. Run alone ({@code ragline serve
 * search}) or inside the embedded platform (always on Lucene: its snapshots copy the index files).
 */
public final class SearchNode implements AutoCloseable {
    private final Resources resources = new Resources();
    private final ChunkIndex index;
    private final SearchApi api;
    private final IndexerSupervisor indexer;
    private final GenerationalIndex generations;
    private final BooleanSupplier extraReady;

    /**
     * @param ready extra readiness condition (the embedded platform adds its ingest topology)
     */
    public SearchNode(String bootstrapServers, Path indexDir, String host, int port, DataSource database,
                      Embedder embedder, PrometheusMeterRegistry registry, BooleanSupplier ready) {
        this(bootstrapServers, indexDir, host, port, database, embedder, Fusion.defaults(), LuceneIndex.VectorFormat.INT8,
                registry, ready);
    }

    /** @param database the metadata database: document status, stats and API keys */
    public SearchNode(String bootstrapServers, Path indexDir, String host, int port, DataSource database,
                      Embedder embedder, Fusion fusion, LuceneIndex.VectorFormat vectorFormat,
                      PrometheusMeterRegistry registry, BooleanSupplier ready) {
        this(bootstrapServers, new StoreSelection.Lucene(indexDir, vectorFormat), host, port, database, embedder, fusion,
                registry, ready);
    }

    /** @param store where the chunks live: this replica's Lucene index or a shared Milvus */
    public SearchNode(String bootstrapServers, StoreSelection store, String host, int port, DataSource database,
                      Embedder embedder, Fusion fusion, PrometheusMeterRegistry registry, BooleanSupplier ready) {
        this(bootstrapServers, store, host, port, database, embedder, fusion, registry, ready, HttpFaults.NONE);
    }

    /** @param faults what the API does wrong on purpose: {@link HttpFaults#NONE} but in tests and chaos drills */
    public SearchNode(String bootstrapServers, StoreSelection store, String host, int port, DataSource database,
                      Embedder embedder, Fusion fusion, PrometheusMeterRegistry registry, BooleanSupplier ready,
                      HttpFaults faults) {
        this.extraReady = ready;
        try {
            GenerationDirs dirs = null;
            IndexGenerations current = null;
            if (store instanceof StoreSelection.Lucene lucene) {
                // a replica's own index has generations (see ReindexWorkflow); serve the one the log names
                dirs = new GenerationDirs(lucene.dir());
                current = GenerationalIndex.open(bootstrapServers, dirs);
                index = resources.add(new LuceneIndex(dirs.of(current.serving()), lucene.format()));
            } else {
                index = resources.add(store.open(embedder.dimension()));
            }
            int indexed = index.vectorDimension();
            if (indexed != 0 && indexed != embedder.dimension()) {
                throw new IllegalStateException("the embedding model " + embedder.modelId() + " produces "
                        + embedder.dimension() + "-dimensional vectors, but " + store.describe() + " holds "
                        + indexed + "-dimensional ones: use the model the index was built with, or re-index into a new data directory");
            }
            indexer = resources.add(new IndexerSupervisor(
                    () -> new Indexer(bootstrapServers, index, embedder.dimension(), registry), registry));
            indexer.start();
            generations = index instanceof LuceneIndex lucene ? resources.background("ragline-index-generations",
                    new GenerationalIndex(bootstrapServers, dirs, current.serving(), lucene, lucene.format(),
                            embedder.dimension(), registry, new GenerationalIndex.ServingIndexer() {
                        @Override
                        public void pause() {
                            pauseIndexer();
                        }

                        @Override
                        public void resume() {
                            resumeIndexer();
                        }
                    })) : null;
            DlqTail dlq = resources.background("ragline-dlq-tail", new DlqTail(bootstrapServers, registry));
            DocumentLimits limits = DocumentLimits.defaults();
            DocumentPublisher publisher = resources.add(new DocumentPublisher(bootstrapServers,
                    (int) SearchApi.maxIngestBodyBytes(limits)));
            api = resources.add(new SearchApi(new SearchService(index, embedder, fusion, registry), new MetadataStore(database),
                    new ApiKeyStore(database), index, dlq::count, () -> health(ready), registry, publisher, limits,
                    generations, faults)
                    .start(host, port));
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    /**
     * Whether this replica may take searches ({@code /health/ready}): its indexer has caught up
     * with the logs and is not crashed (a crashed one, until its restart, leaves the index going
     * stale), and the extra condition holds.
     */
    public Health health() {
        return health(extraReady);
    }

    private Health health(BooleanSupplier ready) {
        Health health = indexer.health();
        if (health.ready() && !ready.getAsBoolean()) {
            return Health.notReady("the platform around this replica is not ready (embedded: its ingest topology does not run)");
        }
        return health;
    }

    /**
     * Stops the indexer and returns once it has committed what it indexed: the index then changes
     * no more (a restore replaces it). Searches go on. Idempotent.
     */
    public void pauseIndexer() {
        indexer.stop();
    }

    /**
     * Fault injection: the indexer dies as in a crash of the replica, without its final commit,
     * and what it wrote since its last commit is dropped. Searches go on over the last commit.
     */
    public void killIndexer() {
        indexer.kill();
        try {
            index().rollback();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot roll the index back to its last commit", e);
        }
    }

    /** Starts a new indexer, which resumes from the offsets of the index's last commit. Idempotent. */
    public void resumeIndexer() {
        indexer.start();
    }

    public boolean indexerRunning() {
        return indexer.running();
    }

    /** The replica's index generations (null when it serves from a shared store): the serving one and the one a re-index builds. */
    public GenerationalIndex generations() {
        return generations;
    }

    /** The Lucene index (snapshots and restores of the embedded platform work on it only). */
    public LuceneIndex index() {
        if (index instanceof LuceneIndex lucene) {
            return lucene;
        }
        throw new IllegalStateException("this replica serves from a shared store, not a Lucene index of its own");
    }

    public int port() {
        return api.port();
    }

    @Override
    public void close() {
        resources.close();
    }
}
