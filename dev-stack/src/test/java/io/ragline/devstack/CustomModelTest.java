package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ragline.core.event.ChunkEvent;
import io.ragline.core.event.EmbeddingEvent;
import io.ragline.core.model.ModelDescriptor;
import io.ragline.core.model.OnnxEmbedder;
import io.ragline.devstack.serve.Models;
import io.ragline.search.SearchNode;
import io.ragline.search.index.LuceneIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model directory replaces the bundled model; a model that does not fit is refused at start. */
class CustomModelTest {
    @TempDir
    Path dir;

    @Test
    void aModelDirectoryWithADescriptorReplacesTheBundledModel() throws Exception {
        Path modelDir = modelDirectory(384, "mean");
        try (OnnxEmbedder bundled = OnnxEmbedder.bundled(dir.resolve("cache"), 1);
             var custom = Models.load(modelDir, dir, 1)) {
            assertThat(custom.modelId()).isEqualTo("my-model");
            assertThat(custom.dimension()).isEqualTo(384);
            float[] a = custom.embedPassages(List.of("Kafka keeps the log of every document.")).getFirst();
            float[] b = bundled.embedPassages(List.of("Kafka keeps the log of every document.")).getFirst();
            // same network, other pooling (mean instead of CLS): a related but different vector
            assertThat(dot(a, b)).isBetween(0.5, 0.999);
            assertThat(dot(a, a)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
        }
    }

    @Test
    void aDescriptorWhoseDimensionDoesNotMatchTheModelIsRefused() throws Exception {
        Path modelDir = modelDirectory(768, "cls");
        assertThatThrownBy(() -> Models.load(modelDir, dir, 1))
                .hasMessageContaining("produces 384-dimensional vectors, but its descriptor says 768");
    }

    @Test
    void aDescriptorWithMissingFilesOrBadFieldsIsRefusedByName() throws Exception {
        Path modelDir = modelDirectory(384, "cls");
        Files.writeString(modelDir.resolve(ModelDescriptor.FILE_NAME), "{\"onnx\":\"nope.onnx\",\"dimension\":384,\"maxTokens\":512}");
        assertThatThrownBy(() -> Models.load(modelDir, dir, 1)).hasMessageContaining("nope.onnx");
        Files.writeString(modelDir.resolve(ModelDescriptor.FILE_NAME), "{\"onnx\":\"model.onnx\",\"dimension\":-1}");
        assertThatThrownBy(() -> Models.load(modelDir, dir, 1)).hasMessageContaining("'dimension' must be a positive integer");
    }

    @Test
    void aSearchReplicaRefusesAModelWhoseDimensionDiffersFromItsIndex() throws Exception {
        Path indexDir = dir.resolve("index");
        try (LuceneIndex index = new LuceneIndex(indexDir)) {
            ChunkEvent chunk = new ChunkEvent(ChunkEvent.SCHEMA, "t", "d", 1, "t/d#1#0", 0, 1, null, "text", null, "en", Map.of());
            index.upsert(EmbeddingEvent.of(chunk, "old-model", new float[]{1, 0, 0, 0, 0, 0, 0, 0}, false));
            index.commit(Map.of());
        }
        // the replica asks Kafka which index generation serves before it opens the index
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), freePort(), freePort());
             OnnxEmbedder embedder = OnnxEmbedder.bundled(dir.resolve("cache"), 1)) {
            TopicSetup.ensure(kafka.bootstrapServers(), 1, 1);
            assertThatThrownBy(() -> new SearchNode(kafka.bootstrapServers(), indexDir, "127.0.0.1", 0, null, embedder,
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> true))
                    .hasMessageContaining("produces 384-dimensional vectors")
                    .hasMessageContaining("holds 8-dimensional ones");
        }
    }

    /** A model directory made from the bundled model's files plus a descriptor. */
    private Path modelDirectory(int dimension, String pooling) throws Exception {
        Path cache = dir.resolve("cache");
        OnnxEmbedder.bundled(cache, 1).close();
        Path modelDir = Files.createDirectories(dir.resolve("my-model"));
        Files.copy(cache.resolve("bge-small-en-v1.5-q.onnx"), modelDir.resolve("model.onnx"));
        Files.copy(cache.resolve("bge-small-en-v1.5-q-tokenizer.json"), modelDir.resolve("tokenizer.json"));
        Files.writeString(modelDir.resolve(ModelDescriptor.FILE_NAME), """
                {"name":"my-model","onnx":"model.onnx","tokenizer":"tokenizer.json","dimension":%d,"maxTokens":512,
                 "pooling":"%s","normalize":true,"queryPrefix":"query: ","passagePrefix":""}
                """.formatted(dimension, pooling));
        return modelDir;
    }

    private static int freePort() throws java.io.IOException {
        return FreePorts.next();
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
