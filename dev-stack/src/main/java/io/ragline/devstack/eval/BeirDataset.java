package io.ragline.devstack.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A retrieval test collection in BEIR's layout: corpus.jsonl, queries.jsonl, qrels.tsv. */
public record BeirDataset(List<Doc> corpus, Map<String, String> queries, Map<String, Map<String, Integer>> qrels) {
    public record Doc(String id, String title, String text) {
    }

    public static BeirDataset load(Path corpus, Path queries, Path qrels) throws IOException {
        List<Doc> docs = new ArrayList<>();
        for (JsonNode n : jsonLines(corpus)) {
            docs.add(new Doc(required(n, "_id", corpus), n.path("title").asText(""), n.path("text").asText("")));
        }
        Map<String, String> qs = new LinkedHashMap<>();
        for (JsonNode n : jsonLines(queries)) {
            qs.put(required(n, "_id", queries), n.path("text").asText(""));
        }
        Map<String, Map<String, Integer>> judged = new HashMap<>();
        List<String> lines = Files.readAllLines(qrels, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t");
            if (i == 0 && f[0].equals("query-id")) {
                continue; // header
            }
            if (f.length < 3) {
                throw new IOException(qrels + " line " + (i + 1) + ": expected query-id<TAB>corpus-id<TAB>score");
            }
            judged.computeIfAbsent(f[0], q -> new HashMap<>()).put(f[1], Integer.parseInt(f[2].strip()));
        }
        qs.keySet().retainAll(judged.keySet()); // BEIR evaluates only judged queries
        return new BeirDataset(docs, qs, judged);
    }

    private static List<JsonNode> jsonLines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(Json.mapper().readTree(line));
                } catch (IOException e) {
                    throw new IOException(file + " line " + number + " is not JSON: " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    private static String required(JsonNode n, String field, Path file) throws IOException {
        if (!n.hasNonNull(field)) {
            throw new IOException(file + ": a line lacks '" + field + "'");
        }
        return n.get(field).asText();
    }
}
