package io.ragline.search.index;

/** Field names of a chunk in the Lucene index. */
final class ChunkFields {
    static final String CHUNK_ID = "chunkId";
    static final String DOC_KEY = "docKey";
    /** {@code <tenant>/<id>#<version>}: every chunk of one version, for counting and activation. */
    static final String DOC_VERSION = "docVersion";
    static final String TENANT = "tenant";
    static final String DOCUMENT_ID = "documentId";
    static final String VERSION = "version";
    static final String SEQ = "seq";
    static final String TITLE = "title";
    static final String TEXT = "text";
    /** Japanese chunks' text, analysed with Kuromoji (see {@link TextAnalysis}). */
    static final String TEXT_JA = "text_ja";
    /** Chinese chunks' text, analysed with SmartCN. */
    static final String TEXT_ZH = "text_zh";
    static final String LANGUAGE = "language";
    /** One term per tag. */
    static final String TAG = "tag";
    /** Epoch millis: a point for range filters and a stored value. */
    static final String TIMESTAMP = "timestamp";
    /** Prefix of one string field per metadata key, value as text, for equality filters. */
    static final String META_PREFIX = "meta.";
    static final String SOURCE = "source";
    static final String METADATA = "metadata";
    static final String VECTOR = "vector";
    /** 1 when the chunk's version is the one search serves; a doc value so activation is an in-place update. */
    static final String ACTIVE = "active";

    private ChunkFields() {
    }

    static String docVersion(String docKey, long version) {
        return docKey + "#" + version;
    }
}
