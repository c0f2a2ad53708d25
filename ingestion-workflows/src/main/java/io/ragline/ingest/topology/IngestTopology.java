package io.ragline.ingest.topology;

import io.ragline.core.Topics;
import io.ragline.core.chunk.TokenChunker;
import io.ragline.core.chunk.TokenCounter;
import io.ragline.core.json.JsonSerde;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** The ingest topology: {@code ragline.documents} → validate, de-duplicate, chunk → chunks, lifecycle, DLQ. */
public final class IngestTopology {
    public static final String VERSION_STORE = "document-versions";
    static final String SOURCE = "documents";
    static final String PROCESSOR = "validate-dedupe-chunk";
    static final String CHUNKS_SINK = "chunks";
    static final String LIFECYCLE_SINK = "lifecycle";
    static final String DLQ_SINK = "dlq";

    private IngestTopology() {
    }

    /**
     * @param tokens    the embedding model's tokenizer: chunks are measured in its tokens
     * @param maxTokens the model's maximum input; no chunk (with its title) exceeds it
     */
    public static Topology build(IngestConfig config, TokenCounter tokens, int maxTokens) {
        TokenChunker chunker = new TokenChunker(tokens, config.chunkTargetTokens(), config.chunkOverlapTokens(), maxTokens);
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.DOCUMENTS);
        topology.addProcessor(PROCESSOR, () -> new DocumentProcessor(config, chunker), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VERSION_STORE),
                Serdes.String(), JsonSerde.of(VersionEntry.class)), PROCESSOR);
        topology.addSink(CHUNKS_SINK, Topics.CHUNKS, new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        topology.addSink(LIFECYCLE_SINK, Topics.LIFECYCLE, new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        topology.addSink(DLQ_SINK, Topics.DOCUMENTS_DLQ, new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        return topology;
    }
}
