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
