package io.ragline.search.ingest;

import io.ragline.core.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes documents that arrive over HTTP to {@code ragline.documents}, exactly as a Kafka
 * producer would; the ingest topology cannot tell the two apart.
 */
public final class DocumentPublisher implements AutoCloseable {
    /** Longer than the producer's own delivery timeout, so that its error, not ours, names the cause. */
    private static final Duration ACK_WAIT = Duration.ofSeconds(45);

    private final KafkaProducer<byte[], byte[]> producer;

    /** @param maxRecordBytes the largest record sent (the ingest body limit) */
    public DocumentPublisher(String bootstrapServers, int maxRecordBytes) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "ragline-http-ingest",
                // an HTTP 202 promises the document is in the log: all replicas, no duplicates on retry
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes + 1024,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Sends one record keyed {@code <tenant>/<id>} and waits for the broker's acknowledgement.
     *
     * @param value the {@code ragline.document.v1} JSON
     * @throws PublishFailed when the broker did not acknowledge it
     */
    public Published publish(String tenant, String id, byte[] value) {
        String key = Topics.documentKey(tenant, id);
        try {
            RecordMetadata ack = producer.send(new ProducerRecord<>(Topics.DOCUMENTS,
                    key.getBytes(StandardCharsets.UTF_8), value)).get(ACK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return new Published(key, ack.partition(), ack.offset());
        } catch (ExecutionException e) {
            throw new PublishFailed(e.getCause());
        } catch (TimeoutException | org.apache.kafka.common.KafkaException e) {
            throw new PublishFailed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailed(e);
        }
    }

    /** Where the broker stored a document. */
    public record Published(String key, int partition, long offset) {
    }

    /** The broker did not take the record; the cause says why (too large, unreachable, ...). */
    public static final class PublishFailed extends RuntimeException {
        PublishFailed(Throwable cause) {
            super(cause == null ? "no acknowledgement" : cause.getMessage(), cause);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
