package io.ragline.ingest;

import io.ragline.core.Topics;
import io.ragline.core.model.ModelTokenizer;
import io.ragline.core.runtime.Health;
import io.ragline.ingest.topology.IngestConfig;
import io.ragline.ingest.topology.IngestTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/** Runs the ingest topology with exactly-once processing. */
public final class IngestNode implements AutoCloseable {
    public static final String APPLICATION_ID = "ragline-ingest";

    private final KafkaStreams streams;

    public IngestNode(String bootstrapServers, Path stateDir, int replicationFactor, IngestConfig config,
                      ModelTokenizer tokenizer) {
        streams = new KafkaStreams(IngestTopology.build(config, tokenizer, tokenizer.maxTokens()),
                properties(bootstrapServers, stateDir, replicationFactor));
        streams.start();
    }

    static Properties properties(String bootstrapServers, Path stateDir, int replicationFactor) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // refused documents go to the DLQ whole, and a DLQ record can be twice the document (see Topics)
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Topics.MAX_DLQ_RECORD_BYTES);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG), 2L * Topics.MAX_DLQ_RECORD_BYTES);
        p.put("processing.exception.handler.global.enabled", true); // the 5.0 default; silences a warning
        // after a crash (no clean leave) a restart waits for the dead member's session to expire
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        return p;
    }

    public boolean running() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** Ready while the topology runs ({@code /health/ready}); otherwise names its state. */
    public Health health() {
        KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.RUNNING ? Health.READY
                : Health.notReady("the ingest topology is " + state + ", not RUNNING");
    }

    /** Waits until the topology processes records; fails if it errors or takes longer than {@code timeout}. */
    public void awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!running()) {
            if (streams.state() == KafkaStreams.State.ERROR || System.nanoTime() > deadline) {
                throw new IllegalStateException("the ingest topology did not reach RUNNING (state " + streams.state() + ")");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50); // polling a state transition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for the ingest topology", e);
            }
        }
    }

    /** Leaves the group on close, so that the next start need not wait out this member's session. */
    @Override
    public void close() {
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }
}
