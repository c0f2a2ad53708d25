package io.ragline.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxEmbedderTest {

    private static OnnxEmbedder embedder;

    @BeforeAll
    static void load() {
        embedder = OnnxEmbedder.bundled(Path.of("target", "model-cache"), 1);
    }

    @AfterAll
    static void close() {
        if (embedder != null) {
            embedder.close();
        }
    }

    @Test
    void dimensionIs384() {
        assertEquals(384, embedder.dimension());
        assertEquals(512, embedder.maxTokens());
        assertEquals(384, embedder.embedQuery("hello").length);
    }

    @Test
    void passageVectorsAreUnitLength() {
        List<float[]> vs = embedder.embedPassages(List.of("the cat sat on the mat",
                "a much longer passage about retrieval augmented generation and vector search"));
        assertEquals(2, vs.size());
        for (float[] v : vs) {
            assertEquals(384, v.length);
            assertEquals(1.0, norm(v), 1e-3);
        }
    }

    @Test
    void similarSentencesAreCloser() {
        List<float[]> vs = embedder.embedPassages(
                List.of("the cat sat on the mat", "a cat is sitting on a mat", "stock market crash"));
        double catCat = dot(vs.get(0), vs.get(1));
        double catStock = dot(vs.get(0), vs.get(2));
        assertTrue(catCat > catStock, "cat/cat=" + catCat + " cat/stock=" + catStock);
    }

    @Test
    void aPassagesVectorDoesNotDependOnTheOtherPassagesOfTheCall() {
        float[] single = embedder.embedPassages(List.of("the cat sat on the mat")).get(0);
        float[] batched = embedder.embedPassages(List.of("the cat sat on the mat",
                "padding forces this batch to be longer than the first sentence is")).get(0);
        // the int8 model quantises activations over the whole input tensor (DynamicQuantizeLinear):
        // in one padded batch its batch-mates would shift this vector (cos ~0.997)
        assertArrayEquals(single, batched);
    }

    @Test
    void queryPrefixIsApplied() {
        String text = "how do cats sit on mats";
        float[] q = embedder.embedQuery(text);
        float[] p = embedder.embedPassages(List.of(text)).get(0);
        assertEquals(1.0, norm(q), 1e-3);
        assertFalse(dot(q, p) > 0.9999, "query and passage embeddings should differ");
    }

    @Test
    void emptyBatch() {
        assertTrue(embedder.embedPassages(List.of()).isEmpty());
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }
}
