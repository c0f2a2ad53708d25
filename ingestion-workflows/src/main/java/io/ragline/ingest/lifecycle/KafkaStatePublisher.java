package io.ragline.ingest.lifecycle;

import io.ragline.core.Topics;
import io.ragline.core.event.DocumentState;
import io.ragline.core.json.Json;
import io.ragline.core.store.StatePublisher;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Publishes document states to {@code ragline.document-state} and waits for the acknowledgement. */
public final class KafkaStatePublisher implements StatePublisher, AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;

    public KafkaStatePublisher(String bootstrapServers) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.CLIENT_ID_CONFIG, "ragline-state-publisher"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void publish(DocumentState state) {
        try {
            producer.send(new ProducerRecord<>(Topics.DOCUMENT_STATE,
                    state.documentKey().getBytes(StandardCharsets.UTF_8), Json.write(state))).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing state of " + state.documentKey(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not publish state of " + state.documentKey(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
