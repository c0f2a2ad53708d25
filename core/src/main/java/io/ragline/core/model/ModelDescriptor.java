package io.ragline.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code ragline-model.json}: how to run an ONNX embedding model from a directory, so that any
 * local export (e.g. BGE-M3, multilingual-e5) can replace the bundled model.
 *
 * <pre>{"name":"bge-m3","onnx":"model.onnx","tokenizer":"tokenizer.json","dimension":1024,
 *  "maxTokens":8192,"pooling":"cls","normalize":true,"queryPrefix":"","passagePrefix":""}</pre>
 */
public record ModelDescriptor(String name, String onnx, String tokenizer, int dimension, int maxTokens, String pooling,
                              boolean normalize, String queryPrefix, String passagePrefix) {
    public static final String FILE_NAME = "ragline-model.json";
    private static final Set<String> POOLING = Set.of("cls", "mean", "max", "mean_sqrt_len", "weightedmean");

    /** Reads and checks the descriptor; every problem names the field and the file. */
    public static ModelDescriptor read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model directory " + dir + " has no " + FILE_NAME
                    + " (fields: name, onnx, tokenizer, dimension, maxTokens, pooling, normalize, queryPrefix, passagePrefix)");
        }
        JsonNode json;
        try {
            json = Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        ModelDescriptor d = new ModelDescriptor(
                text(json, "name", dir.getFileName().toString()), text(json, "onnx", "model.onnx"),
                text(json, "tokenizer", "tokenizer.json"), positive(json, "dimension", file), positive(json, "maxTokens", file),
                text(json, "pooling", "cls"), json.path("normalize").asBoolean(true), text(json, "queryPrefix", ""),
                text(json, "passagePrefix", ""));
        if (!POOLING.contains(d.pooling())) {
            throw new IllegalArgumentException(file + ": 'pooling' must be one of " + POOLING + ", was '" + d.pooling() + "'");
        }
        for (String f : new String[]{d.onnx(), d.tokenizer()}) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IllegalArgumentException(file + " names " + f + ", which is not in " + dir);
            }
        }
        return d;
    }

    private static String text(JsonNode json, String field, String fallback) {
        JsonNode v = json.get(field);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    private static int positive(JsonNode json, String field, Path file) {
        JsonNode v = json.get(field);
        if (v == null || !v.canConvertToInt() || v.asInt() < 1) {
            throw new IllegalArgumentException(file + ": '" + field + "' must be a positive integer, was " + v);
        }
        return v.asInt();
    }
}
