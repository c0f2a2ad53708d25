package io.ragline.core.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * An embedded chunk on {@code ragline.embeddings}; key is the chunk id. The vector travels as
 * base64 little-endian float32: exact, and a quarter the size of a JSON number array.
 */
public record EmbeddingEvent(String schema, ChunkEvent chunk, String model, int dimension, String vector,
                             boolean truncated) {

    public static final String SCHEMA = "ragline.embedding.v1";

    /** @param truncated the chunk was longer than the model's maximum, so its vector covers only its beginning */
    public static EmbeddingEvent of(ChunkEvent chunk, String model, float[] vector, boolean truncated) {
        ByteBuffer buf = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(vector);
        return new EmbeddingEvent(SCHEMA, chunk, model, vector.length, Base64.getEncoder().encodeToString(buf.array()),
                truncated);
    }

    @JsonIgnore
    public float[] vectorArray() {
        byte[] bytes = Base64.getDecoder().decode(vector);
        float[] out = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
