package io.ragline.devstack.ops;

import io.ragline.core.Topics;
import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.json.Json;
import io.ragline.ingest.lifecycle.KafkaStatePublisher;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes {@code ragline.document-state} agree with the metadata store again after a restore
 * replaced the store's rows: the log still ends with the states of after the backup (a delete, a
 * newer version) that index replicas would otherwise apply over the restored index. For every
 * document whose latest snapshot on the log differs from its row, the row's state is published
 * again; a document the restored store does not know (created after the backup) gets a DELETED
 * snapshot with revision 0, so that it leaves search and a later real version still counts as newer.
 * Replicas apply each document's latest snapshot on the log when they start (see the indexer).
 */
final class StateReconciler {
    private static final Logger log = LoggerFactory.getLogger(StateReconciler.class);

    private final String bootstrapServers;
    private final DataSource dataSource;

    StateReconciler(String bootstrapServers, DataSource dataSource) {
        this.bootstrapServers = bootstrapServers;
        this.dataSource = dataSource;
    }

    /** Publishes what differs; returns how many snapshots it published. Idempotent. */
    int reconcile() {
        Map<String, DocumentState> onLog = latestOnLog();
        Map<String, DocumentState> inStore = fromStore();
        List<DocumentState> corrections = new ArrayList<>();
        inStore.forEach((key, row) -> {
            if (!agree(onLog.get(key), row)) {
                corrections.add(row);
            }
        });
        onLog.forEach((key, logged) -> {
            if (!inStore.containsKey(key) && !(logged.status() == DocumentStatus.DELETED && logged.revision() == 0)) {
                corrections.add(new DocumentState(DocumentState.SCHEMA, logged.tenant(), logged.documentId(),
                        DocumentStatus.DELETED, logged.version(), 0, 0, 0,
                        "not in the restored metadata", System.currentTimeMillis()));
            }
        });
        if (!corrections.isEmpty()) {
            try (KafkaStatePublisher publisher = new KafkaStatePublisher(bootstrapServers)) {
                corrections.forEach(publisher::publish);
            }
            log.info("published {} document states so that {} agrees with the restored metadata",
                    corrections.size(), Topics.DOCUMENT_STATE);
        }
        return corrections.size();
    }

    /** What an index replica acts on: the version it serves, or that everything up to a version is deleted. */
    private static boolean agree(DocumentState logged, DocumentState row) {
        if (logged == null) {
            return false;
        }
        boolean deleted = row.status() == DocumentStatus.DELETED;
        if (deleted != (logged.status() == DocumentStatus.DELETED)) {
            return false;
        }
        return deleted ? logged.version() == row.version() : logged.activeVersion() == row.activeVersion();
    }

    private Map<String, DocumentState> latestOnLog() {
        Map<String, DocumentState> latest = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, "ragline-ops-state-reconciler"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(Topics.DOCUMENT_STATE, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + Topics.DOCUMENT_STATE + " to its end in 2 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        try {
                            DocumentState s = Json.read(r.value(), DocumentState.class);
                            latest.put(s.documentKey(), s);
                        } catch (java.io.UncheckedIOException e) {
                            // not a ragline snapshot (the indexers skip it too): nothing it could say
                        }
                    }
                }
            }
        }
        return latest;
    }

    private Map<String, DocumentState> fromStore() {
        Map<String, DocumentState> rows = new LinkedHashMap<>();
        String sql = "SELECT tenant, id, status, version, active_version, active_chunk_count, revision, reason "
                + "FROM documents ORDER BY tenant, id";
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                DocumentState state = new DocumentState(DocumentState.SCHEMA, rs.getString(1), rs.getString(2),
                        DocumentStatus.valueOf(rs.getString(3)), rs.getLong(4), rs.getLong(5), rs.getInt(6),
                        rs.getLong(7), rs.getString(8), System.currentTimeMillis());
                rows.put(state.documentKey(), state);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the metadata store: " + e.getMessage(), e);
        }
        return rows;
    }
}
