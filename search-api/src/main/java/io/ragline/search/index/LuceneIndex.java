package io.ragline.search.index;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KeepOnlyLastCommitDeletionPolicy;
import org.apache.lucene.index.SnapshotDeletionPolicy;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;

/**
 * The local hybrid index: BM25 over chunk text and HNSW over chunk vectors in one Lucene index.
 * Chunks of a version are written as they arrive but only searchable once a document-state
 * snapshot activates that version: activation flips a doc value on every chunk of the version and
 * deletes older versions, and both become visible in the same refresh (DESIGN.md invariant 3).
 * The Kafka offsets it has consumed are stored in each Lucene commit, so index and offsets can
 * never disagree (invariant 2) and an empty directory rebuilds from the logs (invariant 4).
 */
public final class LuceneIndex implements ChunkIndex {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final String OFFSETS_KEY = "ragline.offsets";

    /**
     * What a replica knows of one document: the version search serves, what was deleted, the last
     * snapshot's revision, and the version that snapshot activated if this replica does not hold every
     * chunk of it yet (0: none), with its chunk count; the revision counts as applied once it switches.
     */
    private record DocState(long activeVersion, long deletedUpTo, long revision, long pendingVersion, int pendingCount) {
        DocState(long activeVersion, long deletedUpTo, long revision) {
            this(activeVersion, deletedUpTo, revision, 0, 0);
        }
    }

    private final VectorFormat format;
    // replaced only by takeOver (a generation switch, with the indexers stopped)
    private volatile FSDirectory directory;
    private final TextAnalysis analysis = new TextAnalysis();
    private final Snippets snippets = new Snippets(analysis.analyzer());
    // replaced only by restoreFrom (with the indexer stopped); readers capture them once per use
    private volatile IndexWriter writer;
    private volatile SearcherManager searchers;
    private volatile SnapshotDeletionPolicy snapshotPolicy;
    private final Map<String, DocState> states = new ConcurrentHashMap<>();
    /** Revisions that the current searcher already reflects (what {@link #appliedRevision} reports). */
    private final Map<String, Long> visibleRevisions = new ConcurrentHashMap<>();
    private final Map<String, Long> pendingRevisions = new HashMap<>();
    /** Chunks held of versions not served yet (guarded by this). */
    private final HeldChunks held = new HeldChunks(this::storedSeqs);

    /** How vectors are stored in the HNSW graph. */
    public enum VectorFormat {
        /** int8 scalar-quantised: a quarter of the memory of float32 for a small loss of recall (default). */
        INT8,
        /** float32: exact vectors, four times the memory. */
        FLOAT
    }

    public LuceneIndex(Path path) {
        this(path, VectorFormat.INT8);
    }

    public LuceneIndex(Path path, VectorFormat format) {
        this.format = format;
        try {
            this.directory = FSDirectory.open(path);
            openWriter();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the Lucene index at " + path, e);
        }
    }

    /** Opens the writer and the searcher manager on {@link #directory} (its latest commit, if any). */
    private void openWriter() throws IOException {
        IndexWriterConfig config = new IndexWriterConfig(analysis.analyzer());
        config.setCodec(new Lucene104Codec() {
            private final KnnVectorsFormat vectors = format == VectorFormat.FLOAT
                    ? new org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat()
                    : new Lucene104HnswScalarQuantizedVectorsFormat();

            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return vectors;
            }
        });
        config.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
        // a commit always pairs the index with the offsets it reflects: see commit()
        config.setCommitOnClose(false);
        // keeps the commit a backup copies until it is released (see snapshot)
        SnapshotDeletionPolicy policy = new SnapshotDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy());
        config.setIndexDeletionPolicy(policy);
        IndexWriter w = new IndexWriter(directory, config);
        this.snapshotPolicy = policy;
        this.writer = w;
        this.searchers = new SearcherManager(w, null);
    }

    /** Adds or replaces one embedded chunk; stale versions (older than active, or deleted) are skipped. */
    public synchronized void upsert(EmbeddingEvent embedding) throws IOException {
        ChunkEvent chunk = embedding.chunk();
        String docKey = chunk.documentKey();
        changedSinceRefresh.add(docKey);
        DocState state = states.get(docKey);
        if (state != null && (chunk.version() < state.activeVersion() || chunk.version() <= state.deletedUpTo())) {
            return;
        }
        boolean active = state != null && state.activeVersion() == chunk.version();
        if (!active) {
            held.add(ChunkFields.docVersion(docKey, chunk.version()), chunk.seq());
        }
        write(embedding, active);
        if (!active && state != null && state.pendingVersion() == chunk.version()
                && held.complete(ChunkFields.docVersion(docKey, chunk.version()), state.pendingCount())) {
            // the last chunk of a version already activated elsewhere: this replica switches now
            activate(docKey, state.pendingVersion());
            states.put(docKey, new DocState(state.pendingVersion(), state.deletedUpTo(), state.revision()));
            pendingRevisions.put(docKey, state.revision());
        }
    }

    private void write(EmbeddingEvent embedding, boolean active) throws IOException {
        ChunkEvent chunk = embedding.chunk();
        String docKey = chunk.documentKey();
        Document doc = new Document();
        doc.add(new StringField(ChunkFields.CHUNK_ID, chunk.chunkId(), Field.Store.YES));
        doc.add(new StringField(ChunkFields.DOC_KEY, docKey, Field.Store.NO));
        doc.add(new StringField(ChunkFields.DOC_VERSION, ChunkFields.docVersion(docKey, chunk.version()), Field.Store.NO));
        doc.add(new StringField(ChunkFields.TENANT, chunk.tenant(), Field.Store.YES));
        doc.add(new StoredField(ChunkFields.DOCUMENT_ID, chunk.documentId()));
        doc.add(new LongPoint(ChunkFields.VERSION, chunk.version()));
        doc.add(new StoredField(ChunkFields.VERSION, chunk.version()));
        doc.add(new StoredField(ChunkFields.SEQ, chunk.seq()));
        if (chunk.title() != null) {
            doc.add(new StoredField(ChunkFields.TITLE, chunk.title()));
        }
        if (chunk.source() != null) {
            doc.add(new StringField(ChunkFields.SOURCE, chunk.source(), Field.Store.YES));
        }
        addFilterFields(doc, chunk);
        // the title is indexed with each chunk's text so keyword search sees the document's context;
        // the field (and so the analyser) follows the chunk's language
        // (stored under the same field: Lucene wants one schema per field across documents)
        String textField = TextAnalysis.textField(chunk.language());
        doc.add(new TextField(textField, chunk.embeddingText(), Field.Store.NO));
        doc.add(new StoredField(textField, chunk.text()));
        doc.add(new StoredField(ChunkFields.METADATA, Json.writeString(chunk.metadata() == null ? Map.of() : chunk.metadata())));
        doc.add(new KnnFloatVectorField(ChunkFields.VECTOR, embedding.vectorArray(), VectorSimilarityFunction.DOT_PRODUCT));
        doc.add(new NumericDocValuesField(ChunkFields.ACTIVE, active ? 1 : 0));
        writer.updateDocument(new Term(ChunkFields.CHUNK_ID, chunk.chunkId()), doc);
    }

    /** Language, tags, timestamp and each metadata value as text: what search filters on. */
    private static void addFilterFields(Document doc, ChunkEvent chunk) {
        if (chunk.language() != null) {
            doc.add(new StringField(ChunkFields.LANGUAGE, chunk.language(), Field.Store.YES));
        }
        if (chunk.tags() != null) {
            for (String tag : chunk.tags()) {
                doc.add(new StringField(ChunkFields.TAG, tag, Field.Store.YES));
            }
        }
        if (chunk.timestamp() != null) {
            doc.add(new LongPoint(ChunkFields.TIMESTAMP, chunk.timestamp()));
            doc.add(new StoredField(ChunkFields.TIMESTAMP, chunk.timestamp()));
        }
        if (chunk.metadata() != null) {
            chunk.metadata().forEach((key, value) -> {
                if (value != null) {
                    doc.add(new StringField(ChunkFields.META_PREFIX + key, String.valueOf(value), Field.Store.NO));
                }
            });
        }
    }

    /** Removes one chunk (a tombstone on {@code ragline.embeddings}). */
    public synchronized void deleteChunk(String chunkId) throws IOException {
        int hash = chunkId.indexOf('#');
        changedSinceRefresh.add(hash < 0 ? chunkId : chunkId.substring(0, hash));
        int last = chunkId.lastIndexOf('#');
        if (last > hash && hash >= 0) {
            try {
                held.remove(chunkId.substring(0, last), Integer.parseInt(chunkId.substring(last + 1)));
            } catch (NumberFormatException notOurs) {
                // not a chunk id of ChunkEvent.chunkId: nothing tracked under it
            }
        }
        writer.deleteDocuments(new Term(ChunkFields.CHUNK_ID, chunkId));
    }

    /**
     * Applies a document-state snapshot: activates its active version, deletes what it supersedes.
     * Activation waits until this replica holds every chunk of the version (the snapshot's chunk
     * count): meanwhile the previous version stays served, and the chunk that completes it switches
     * the document (see {@link #upsert}); its revision counts as applied only then.
     */
    public synchronized void apply(DocumentState snapshot) throws IOException {
        String docKey = snapshot.documentKey();
        changedSinceRefresh.add(docKey);
        DocState previous = states.get(docKey);
        if (previous != null && snapshot.revision() <= previous.revision()) {
            return;
        }
        long deletedUpTo = previous == null ? 0 : previous.deletedUpTo();
        long served = previous == null ? 0 : previous.activeVersion();
        if (snapshot.status() == DocumentStatus.DELETED) {
            deletedUpTo = Math.max(deletedUpTo, snapshot.version());
            writer.deleteDocuments(new BooleanQuery.Builder()
                    .add(new TermQuery(new Term(ChunkFields.DOC_KEY, docKey)), BooleanClause.Occur.FILTER)
                    .add(LongPoint.newRangeQuery(ChunkFields.VERSION, Long.MIN_VALUE, deletedUpTo), BooleanClause.Occur.FILTER)
                    .build());
            held.forget(docKey, deletedUpTo);
            served = 0;
        } else if (snapshot.activeVersion() > 0) {
            long active = snapshot.activeVersion();
            if (active != served && !held.complete(ChunkFields.docVersion(docKey, active), snapshot.chunkCount())) {
                states.put(docKey, new DocState(served, deletedUpTo, snapshot.revision(), active, snapshot.chunkCount()));
                return;
            }
            activate(docKey, active);
            served = active;
        }
        states.put(docKey, new DocState(served, deletedUpTo, snapshot.revision()));
        pendingRevisions.put(docKey, snapshot.revision());
    }

    /** Serves {@code version} of the document and deletes its older versions, visible in one refresh. */
    private void activate(String docKey, long version) throws IOException {
        changedSinceRefresh.add(docKey);
        // an index with no chunk yet has no such field to update (a document of no chunks)
        if (writer.getFieldNames().contains(ChunkFields.ACTIVE)) {
            writer.updateNumericDocValue(new Term(ChunkFields.DOC_VERSION, ChunkFields.docVersion(docKey, version)),
                    ChunkFields.ACTIVE, 1);
        }
        writer.deleteDocuments(new BooleanQuery.Builder()
                .add(new TermQuery(new Term(ChunkFields.DOC_KEY, docKey)), BooleanClause.Occur.FILTER)
                .add(LongPoint.newRangeQuery(ChunkFields.VERSION, Long.MIN_VALUE, version - 1), BooleanClause.Occur.FILTER)
                .build());
        held.forget(docKey, version);
    }

    /**
     * The seqs the index holds of a doc version, read the first time this replica tracks it. Untouched
     * since the writer opened, the version is in the index as the searcher sees it.
     */
    private BitSet storedSeqs(String docVersion) {
        BitSet seqs = new BitSet();
        try {
            Acquired acquired = acquire();
            SearcherManager manager = acquired.manager();
            IndexSearcher searcher = acquired.searcher();
            try {
                TermQuery query = new TermQuery(new Term(ChunkFields.DOC_VERSION, docVersion));
                int n = searcher.count(query);
                if (n == 0) {
                    return seqs;
                }
                StoredFields stored = searcher.storedFields();
                for (ScoreDoc hit : searcher.search(query, n).scoreDocs) {
                    IndexableField seq = stored.document(hit.doc, Set.of(ChunkFields.SEQ)).getField(ChunkFields.SEQ);
                    if (seq != null) {
                        seqs.set(seq.numericValue().intValue());
                    }
                }
            } finally {
                manager.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the chunks of " + docVersion, e);
        }
        return seqs;
    }

    /** Makes everything written so far searchable. */
    public void refresh() throws IOException {
        Map<String, Long> applied;
        Set<String> changed;
        synchronized (this) {
            applied = new HashMap<>(pendingRevisions);
            pendingRevisions.clear();
            changed = new HashSet<>(changedSinceRefresh);
            changedSinceRefresh.clear();
        }
        searchers.maybeRefreshBlocking();
        visibleRevisions.putAll(applied);
        for (String docKey : changed) {
            CompletableFuture<Void> waiting = docWaiters.remove(docKey);
            if (waiting != null) {
                waiting.complete(null);
            }
        }
    }

    /** Documents written since the last refresh (guarded by this). */
    private final Set<String> changedSinceRefresh = new HashSet<>();
    /**
     * One future per document someone waits on, completed by the refresh that makes a change to
     * that document visible: thousands of versions in flight wait without waking each other.
     */
    private final Map<String, CompletableFuture<Void>> docWaiters = new ConcurrentHashMap<>();

    /** Wakes every waiter (after a restore or reset: anything may have changed). */
    private void wakeAll() {
        docWaiters.keySet().forEach(k -> {
            CompletableFuture<Void> f = docWaiters.remove(k);
            if (f != null) {
                f.complete(null);
            }
        });
    }

    private interface Check {
        boolean done();
    }

    /** Waits until {@code check} holds for the document, re-checking only when a refresh changed it. */
    private void awaitDocument(String docKey, long deadlineNanos, Check check) throws InterruptedException {
        while (true) {
            CompletableFuture<Void> change = docWaiters.computeIfAbsent(docKey, k -> new CompletableFuture<>());
            if (check.done()) {
                return;
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                change.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public long awaitIndexedChunks(String tenant, String documentId, long version, int expected,
                                   java.time.Duration wait) throws InterruptedException {
        awaitDocument(tenant + "/" + documentId, System.nanoTime() + wait.toNanos(),
                () -> indexedChunks(tenant, documentId, version) >= expected);
        return indexedChunks(tenant, documentId, version);
    }

    @Override
    public boolean awaitRevision(String tenant, String documentId, long revision, java.time.Duration wait)
            throws InterruptedException {
        awaitDocument(tenant + "/" + documentId, System.nanoTime() + wait.toNanos(),
                () -> appliedRevision(tenant, documentId) >= revision);
        return appliedRevision(tenant, documentId) >= revision;
    }

    /** Durably commits the index together with the consumer offsets it reflects. */
    public synchronized void commit(Map<String, Long> offsets) throws IOException {
        writer.setLiveCommitData(Map.of(OFFSETS_KEY, Json.writeString(offsets)).entrySet());
        writer.commit();
    }

    /** The consumer offsets of the last commit, or empty for a new index (rebuild from the start). */
    public Map<String, Long> committedOffsets() {
        Iterable<Map.Entry<String, String>> data = writer.getLiveCommitData();
        if (data != null) {
            for (Map.Entry<String, String> e : data) {
                if (OFFSETS_KEY.equals(e.getKey())) {
                    try {
                        Map<String, Object> raw = Json.mapper().readValue(e.getValue(), MAP);
                        Map<String, Long> out = new LinkedHashMap<>();
                        raw.forEach((k, v) -> out.put(k, ((Number) v).longValue()));
                        return out;
                    } catch (IOException ex) {
                        throw new UncheckedIOException("corrupt offsets in the index commit", ex);
                    }
                }
            }
        }
        return Map.of();
    }

    @Override
    public long indexedChunks(String tenant, String documentId, long version) {
        return count(new TermQuery(new Term(ChunkFields.DOC_VERSION,
                ChunkFields.docVersion(tenant + "/" + documentId, version))));
    }

    @Override
    public long appliedRevision(String tenant, String documentId) {
        return visibleRevisions.getOrDefault(tenant + "/" + documentId, 0L);
    }

    /** Dimension of the vectors already in the index, or 0 if it holds none. */
    public int vectorDimension() {
        try {
            Acquired acquired = acquire();
            SearcherManager manager = acquired.manager();
            IndexSearcher searcher = acquired.searcher();
            try {
                for (var leaf : searcher.getIndexReader().leaves()) {
                    var info = leaf.reader().getFieldInfos().fieldInfo(ChunkFields.VECTOR);
                    if (info != null && info.getVectorDimension() > 0) {
                        return info.getVectorDimension();
                    }
                }
                return 0;
            } finally {
                manager.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Chunks search serves now, over all tenants. */
    public long activeChunks() {
        return count(NumericDocValuesField.newSlowExactQuery(ChunkFields.ACTIVE, 1));
    }

    private long count(Query query) {
        try {
            Acquired acquired = acquire();
            SearcherManager manager = acquired.manager();
            IndexSearcher searcher = acquired.searcher();
            try {
                return searcher.count(query);
            } finally {
                manager.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Searches one tenant's active chunks and returns the best chunk of each of up to {@code topK}
     * documents. {@code vector} may be null in keyword mode.
     */
    public List<ChunkHit> search(String tenant, String text, float[] vector, SearchMode mode, int topK) throws IOException {
        return search(ChunkQuery.firstDocuments(tenant, text, vector, mode, topK)).hits();
    }

    /** A searcher and the manager to release it to. */
    private record Acquired(SearcherManager manager, IndexSearcher searcher) {
    }

    /**
     * A searcher on what search serves now. A restore, rollback or generation switch replaces the
     * searcher manager and closes the old one; a reader caught in between takes the new one.
     */
    private Acquired acquire() throws IOException {
        while (true) {
            SearcherManager manager = searchers;
            try {
                return new Acquired(manager, manager.acquire());
            } catch (org.apache.lucene.store.AlreadyClosedException e) {
                if (manager == searchers) {
                    throw e;
                }
            }
        }
    }

    @Override
    public SearchPage search(ChunkQuery query) throws IOException {
        Acquired acquired = acquire();
        SearcherManager manager = acquired.manager();
        IndexSearcher searcher = acquired.searcher();
        try {
            return new PagedSearch(searcher, analysis, snippets, format != VectorFormat.FLOAT).run(query);
        } finally {
            manager.release(searcher);
        }
    }

    /**
     * Forgets which version each document serves, before an indexer rebuilds it from
     * {@code ragline.document-state} (at its start, after a pause or a restore).
     */
    public synchronized void resetStates() {
        // the states are re-applied against the chunks the index holds, read by the searcher (see
        // storedSeqs): it must see them all, those written while their version was served (and so
        // not tracked) too; under the lock, so that no chunk is written in between
        try {
            refresh();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot refresh the index before its states are rebuilt", e);
        }
        states.clear();
        pendingRevisions.clear();
        wakeAll();
    }

    /**
     * Backup: commits what was written so far (with the offsets of the last {@link #commit}, so a
     * restored copy re-reads a few records at most, which upserts make harmless), holds that commit
     * with the {@link SnapshotDeletionPolicy}, copies its files into the empty directory
     * {@code target} and releases it. Runs beside the indexer and searches. Returns the counts of
     * the copy (see {@link #counts()}).
     */
    public Map<String, Long> snapshot(Path target) throws IOException {
        IndexWriter w;
        SnapshotDeletionPolicy policy;
        IndexCommit commit;
        synchronized (this) {
            w = writer;
            policy = snapshotPolicy;
            w.commit();
            commit = policy.snapshot();
        }
        try {
            Path source = directory.getDirectory();
            java.nio.file.Files.createDirectories(target);
            for (String file : commit.getFileNames()) {
                java.nio.file.Files.copy(source.resolve(file), target.resolve(file),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            try (DirectoryReader reader = DirectoryReader.open(commit)) {
                return counts(new IndexSearcher(reader));
            }
        } finally {
            synchronized (this) {
                policy.release(commit);
                if (w == writer) {
                    w.deleteUnusedFiles();
                }
            }
        }
    }

    /**
     * Restore: replaces this index with the copy in {@code source} (a {@link #snapshot}) and
     * returns once searches see it, with its counts. The caller stops the indexer first (what was
     * not committed is dropped); a new indexer then resumes from the offsets stored in the copy's
     * commit. Searches keep running throughout: those under way finish on the old files.
     */
    public synchronized Map<String, Long> restoreFrom(Path source) throws IOException {
        try (FSDirectory copy = FSDirectory.open(source)) {
            if (!DirectoryReader.indexExists(copy)) {
                throw new IOException("no Lucene index commit in " + source);
            }
        }
        SearcherManager old = searchers;
        try {
            writer.rollback();
        } catch (org.apache.lucene.store.AlreadyClosedException e) {
            // a restore that failed half-way closed it already
        }
        Path dir = directory.getDirectory();
        for (String file : directory.listAll()) {
            if (!file.equals(IndexWriter.WRITE_LOCK_NAME)) {
                java.nio.file.Files.deleteIfExists(dir.resolve(file));
            }
        }
        List<String> copied = new ArrayList<>();
        try (var files = java.nio.file.Files.list(source)) {
            for (Path file : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (!name.equals(IndexWriter.WRITE_LOCK_NAME)) {
                    java.nio.file.Files.copy(file, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    copied.add(name);
                }
            }
        }
        directory.sync(copied);
        directory.syncMetaData();
        openWriter();
        old.close();
        states.clear();
        held.clear();
        pendingRevisions.clear();
        wakeAll();
        visibleRevisions.clear();
        return counts();
    }

    /**
     * Generation switch: from now on this index serves {@code next}'s files, writer and document
     * states, in one step for searches (those under way finish on the old files). Both indexers
     * are stopped first; the next one on this index resumes from {@code next}'s committed offsets.
     * {@code next} must not be used or closed afterwards. Returns the directory served before,
     * for the caller to delete.
     */
    public Path takeOver(LuceneIndex next) throws IOException {
        if (next.format != format) {
            throw new IllegalArgumentException("cannot switch from a " + format + " index to a " + next.format + " one");
        }
        IndexWriter oldWriter;
        SearcherManager oldSearchers;
        FSDirectory oldDirectory;
        synchronized (this) {
            synchronized (next) {
                oldWriter = writer;
                oldSearchers = searchers;
                oldDirectory = directory;
                directory = next.directory;
                snapshotPolicy = next.snapshotPolicy;
                writer = next.writer;
                searchers = next.searchers;
                states.clear();
                states.putAll(next.states);
                held.takeFrom(next.held);
                pendingRevisions.clear();
                pendingRevisions.putAll(next.pendingRevisions);
                visibleRevisions.putAll(next.visibleRevisions);
                changedSinceRefresh.addAll(next.changedSinceRefresh);
            }
        }
        wakeAll();
        oldSearchers.close();
        oldWriter.close(); // commits nothing (commitOnClose is off): its indexer committed before stopping
        Path old = oldDirectory.getDirectory();
        oldDirectory.close();
        return old;
    }

    /** How this index stores vectors. */
    public VectorFormat format() {
        return format;
    }

    /** Where the files of the index search serves live. */
    public Path path() {
        return directory.getDirectory();
    }

    /**
     * Drops everything written since the last {@link #commit}, as a crash of the replica would:
     * searches then see the last commit, and a new indexer resumes from the offsets stored in it.
     * The caller stops the indexer first.
     */
    public synchronized void rollback() throws IOException {
        SearcherManager old = searchers;
        writer.rollback();
        openWriter();
        old.close();
        states.clear();
        held.clear();
        pendingRevisions.clear();
        changedSinceRefresh.clear();
        wakeAll();
        visibleRevisions.clear();
    }

    /** {@code documents} (with an active version) and {@code chunks} (active ones) that search serves now. */
    public Map<String, Long> counts() {
        try {
            Acquired acquired = acquire();
            SearcherManager manager = acquired.manager();
            IndexSearcher searcher = acquired.searcher();
            try {
                return counts(searcher);
            } finally {
                manager.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Long> counts(IndexSearcher searcher) throws IOException {
        Query active = NumericDocValuesField.newSlowExactQuery(ChunkFields.ACTIVE, 1);
        int chunks = searcher.count(active);
        java.util.Set<String> documents = new java.util.HashSet<>();
        if (chunks > 0) {
            StoredFields stored = searcher.storedFields();
            java.util.Set<String> fields = java.util.Set.of(ChunkFields.TENANT, ChunkFields.DOCUMENT_ID);
            for (ScoreDoc sd : searcher.search(active, chunks).scoreDocs) {
                Document doc = stored.document(sd.doc, fields);
                documents.add(doc.get(ChunkFields.TENANT) + "/" + doc.get(ChunkFields.DOCUMENT_ID));
            }
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("documents", (long) documents.size());
        counts.put("chunks", (long) chunks);
        return counts;
    }

    @Override
    public void close() throws IOException {
        searchers.close();
        writer.close();
        directory.close();
        analysis.close();
    }
}
