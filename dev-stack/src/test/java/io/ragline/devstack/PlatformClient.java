package io.ragline.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.Topics;
import io.ragline.core.event.DocumentV1;
import io.ragline.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** What a producer and an application do against a running platform: plain Kafka and plain HTTP. */
final class PlatformClient implements AutoCloseable {
    private final HttpClient http = HttpClient.newHttpClient();
    private final KafkaProducer<byte[], byte[]> producer;
    private final URI base;
    private final String apiKey;

    PlatformClient(String bootstrapServers, int httpPort, String apiKey) {
        this.apiKey = apiKey;
        this.base = URI.create("http://127.0.0.1:" + httpPort);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_DOCUMENT_RECORD_BYTES),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    RecordMetadata publish(DocumentV1 doc) throws Exception {
        return publishRaw(Topics.documentKey(doc.tenant(), doc.id()), Json.write(doc));
    }

    RecordMetadata publishRaw(String key, byte[] value) throws Exception {
        return producer.send(new ProducerRecord<>(Topics.DOCUMENTS,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS);
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET().build()).body;
    }

    Response search(String query, int topK, String mode) throws IOException, InterruptedException {
        String body = Json.writeString(Map.of("query", query, "topK", topK, "mode", mode));
        return post("/v1/search", body);
    }

    Response post(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpRequest authorised = apiKey == null ? request
                : HttpRequest.newBuilder(request, (name, value) -> true).header("Authorization", "Bearer " + apiKey).build();
        HttpResponse<String> response = http.send(authorised, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                Json.mapper().readTree(response.body()));
    }

    record Response(int status, String contentType, JsonNode body) {
    }

    @Override
    public void close() {
        producer.close();
        http.close();
    }
}
