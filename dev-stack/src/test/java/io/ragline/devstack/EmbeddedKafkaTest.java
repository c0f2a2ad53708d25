package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class EmbeddedKafkaTest {

    @TempDir
    Path dataDir;

    @Test
    void producesAndConsumes() throws Exception {
        int[] ports = freePorts();
        long t0 = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, ports[0], ports[1]);
             Admin admin = admin(kafka)) {
            admin.describeCluster().nodes().get();
            System.out.printf("EmbeddedKafka ready (fresh dir) in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + ports[0]);

            admin.createTopics(List.of(new NewTopic("docs", 3, (short) 1))).all().get();
            try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("docs", "k" + i, "v" + i)).get();
                }
            }
            assertThat(readAll(kafka, "docs", "read_uncommitted", 10))
                    .extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
        }
    }

    @Test
    void restartOnSameDirectoryKeepsClusterIdTopicsAndRecords() throws Exception {
        int[] ports = freePorts();
        String clusterId;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, ports[0], ports[1]);
             Admin admin = admin(kafka)) {
            clusterId = admin.describeCluster().clusterId().get();
            admin.createTopics(List.of(new NewTopic("durable", 2, (short) 1))).all().get();
            try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
                producer.send(new ProducerRecord<>("durable", "a", "first")).get();
                producer.send(new ProducerRecord<>("durable", "b", "second")).get();
            }
        }
        assertThat(dataDir.resolve("kafka-logs/meta.properties")).exists();
        assertThat(Files.readString(dataDir.resolve("kafka-logs/meta.properties"))).contains(clusterId);

        long t0 = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, ports[0], ports[1]);
             Admin admin = admin(kafka)) {
            assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
            System.out.printf("EmbeddedKafka ready (restart) in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            assertThat(kafka.clusterId()).isEqualTo(clusterId);
            assertThat(admin.listTopics().names().get()).contains("durable");
            assertThat(admin.describeTopics(Set.of("durable")).allTopicNames().get()
                    .get("durable").partitions()).hasSize(2);
            assertThat(readAll(kafka, "durable", "read_uncommitted", 2))
                    .extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrder("first", "second");
        }
    }

    @Test
    void transactionalProducerCommitsAndReadCommittedConsumerSeesOnlyCommitted() throws Exception {
        int[] ports = freePorts();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, ports[0], ports[1]);
             Admin admin = admin(kafka)) {
            admin.createTopics(List.of(new NewTopic("tx", 1, (short) 1))).all().get();
            try (KafkaProducer<String, String> producer =
                         producer(kafka, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-test"))) {
                producer.initTransactions();

                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx", "k", "aborted"));
                producer.abortTransaction();

                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx", "k", "committed-1"));
                producer.send(new ProducerRecord<>("tx", "k", "committed-2"));
                producer.commitTransaction();
            }
            assertThat(readAll(kafka, "tx", "read_committed", 2))
                    .extracting(ConsumerRecord::value)
                    .containsExactly("committed-1", "committed-2");
            // The transaction coordinator recorded the transactional id on this single node.
            assertThat(admin.listTransactions().all().get())
                    .anySatisfy(tx -> assertThat(tx.transactionalId()).isEqualTo("tx-test"));
        }
    }

    private static int[] freePorts() throws IOException {
        int a = FreePorts.next();
        int b;
        do {
            b = FreePorts.next();
        } while (b == a);
        return new int[] {a, b};
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, Map<String, Object> extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.putAll(extra);
        return new KafkaProducer<>(p);
    }

    /** Reads from the beginning of every partition (no group) until {@code expected} records arrived. */
    private static List<ConsumerRecord<String, String>> readAll(
            EmbeddedKafka kafka, String topic, String isolationLevel, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // One more short poll so that unexpected extra records (e.g. aborted ones) would show up.
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }
}
