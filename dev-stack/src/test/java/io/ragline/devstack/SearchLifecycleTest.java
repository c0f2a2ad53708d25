package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.Topics;
import io.ragline.core.event.DocumentV1;
import io.ragline.core.metrics.MetricNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #5 on the real embedded platform, through Kafka and the HTTP API: an index rebuilt from the
 * logs answers a fixed query set exactly as before, without re-embedding (DESIGN.md invariant 4),
 * and a deleted document leaves every search mode (invariant 3).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SearchLifecycleTest {
    private static final int DOCUMENTS = 30;
    private static final Duration SETTLE = Duration.ofMinutes(4);
    private static final List<String> MODES = List.of("hybrid", "keyword", "vector");
    private static final List<String> QUERIES = List.of("lighthouse keeper in a storm", "volcanic soil for vineyards",
            "tidal energy from the estuary", "restoring ancient manuscripts", "railway timetable changes",
            "retreating glacier measurements", "honey bees and orchards", "solar panels on the roof",
            "coral reef survey", "repairing a medieval bridge");

    @TempDir
    static Path tempDir;

    private EmbeddedPlatform platform;
    private PlatformClient client;

    @BeforeAll
    void start() throws Exception {
        startPlatform();
        for (int i = 0; i < DOCUMENTS; i++) {
            client.publish(document(i));
        }
        await().atMost(SETTLE).untilAsserted(() -> {
            JsonNode stats = client.get("/v1/stats");
            assertThat(stats.path("documents").path("active").asLong()).isEqualTo(DOCUMENTS);
            assertThat(stats.path("documents").path("pending").asLong()).isZero();
        });
        awaitIndexCommittedAtEnd();
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    @Order(1)
    void anIndexRebuiltFromTheLogsAnswersAFixedQuerySetIdentically() throws Exception {
        Map<String, List<String>> before = answers();
        Map<String, Long> indexCounts = platform.index().counts();
        Map<TopicPartition, Long> embeddings = ends(Topics.EMBEDDINGS);
        Map<TopicPartition, Long> chunks = ends(Topics.CHUNKS);
        assertThat(before.values()).allSatisfy(hits -> assertThat(hits).isNotEmpty());
        assertThat(indexCounts).containsEntry("documents", (long) DOCUMENTS);

        client.close();
        platform.close();
        Path index = tempDir.resolve("data/index");
        assertThat(index).isDirectory();
        try (Stream<Path> files = Files.walk(index)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertThat(index).doesNotExist();
        startPlatform();

        await().atMost(SETTLE).untilAsserted(() -> {
            assertThat(platform.index().counts()).isEqualTo(indexCounts);
            assertCommittedAtEnd();
        });
        assertThat(answers()).isEqualTo(before);
        // rebuilt from ragline.embeddings and ragline.document-state: nothing chunked or embedded again
        assertThat(ends(Topics.EMBEDDINGS)).isEqualTo(embeddings);
        assertThat(ends(Topics.CHUNKS)).isEqualTo(chunks);
        var embedded = platform.registry().find(MetricNames.EMBEDDINGS).counter();
        assertThat(embedded == null ? 0 : embedded.count()).as("chunks embedded since the restart").isZero();
    }

    @Test
    @Order(2)
    void aDeletedDocumentDisappearsFromEveryModeAndFromTheIndex() throws Exception {
        String id = id(3);
        String query = QUERIES.get(3);
        for (String mode : MODES) {
            assertThat(documentIds(query, 100, mode)).as(mode).contains(id);
        }
        assertThat(platform.index().indexedChunks("default", id, 1)).isPositive();

        client.publish(DocumentV1.delete("default", id));

        await().atMost(SETTLE).untilAsserted(() -> {
            for (String mode : MODES) {
                assertThat(documentIds(query, 100, mode)).as(mode).isNotEmpty().doesNotContain(id);
            }
        });
        assertThat(platform.index().indexedChunks("default", id, 1)).isZero();
        JsonNode doc = client.get("/v1/documents/" + id);
        assertThat(doc.path("status").asText()).isEqualTo("DELETED");
        assertThat(doc.path("version").asLong()).isEqualTo(2);
        // the others are still there
        assertThat(documentIds(QUERIES.get(0), 100, "vector")).hasSize(DOCUMENTS - 1);
    }

    /** Every query in every mode: the ordered hits as documentId#chunkId. */
    private Map<String, List<String>> answers() throws Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String query : QUERIES) {
            for (String mode : MODES) {
                PlatformClient.Response response = client.search(query, 10, mode);
                assertThat(response.status()).isEqualTo(200);
                List<String> hits = new ArrayList<>();
                for (JsonNode hit : response.body().path("results")) {
                    hits.add(hit.path("documentId").asText() + " " + hit.path("chunkId").asText());
                }
                out.put(mode + ": " + query, hits);
            }
        }
        return out;
    }

    private List<String> documentIds(String query, int topK, String mode) throws Exception {
        PlatformClient.Response response = client.search(query, topK, mode);
        assertThat(response.status()).isEqualTo(200);
        return response.body().path("results").findValuesAsText("documentId");
    }

    private void startPlatform() throws IOException {
        platform = EmbeddedPlatform.start(PlatformSettings.defaults(tempDir.resolve("data")).withFreePorts(), System.out);
        client = new PlatformClient(platform.bootstrapServers(), platform.httpPort(), platform.devApiKey());
    }

    private void awaitIndexCommittedAtEnd() {
        await().atMost(SETTLE).untilAsserted(this::assertCommittedAtEnd);
    }

    /** The index's last commit holds the end of ragline.embeddings (a transaction marker may follow the last record). */
    private void assertCommittedAtEnd() throws Exception {
        Map<String, Long> committed = platform.index().committedOffsets();
        ends(Topics.EMBEDDINGS).forEach((tp, end) -> assertThat(committed.getOrDefault(tp.toString(), 0L)).as(tp.toString())
                .isGreaterThanOrEqualTo(end - 1));
    }

    private Map<TopicPartition, Long> ends(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> specs.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, Long> out = new HashMap<>();
            admin.listOffsets(specs).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        }
    }

    private static final String[] SUBJECTS = {"The lighthouse keeper", "A vineyard on volcanic soil", "The tidal barrage",
            "The manuscript conservator", "The regional railway", "The retreating glacier", "An orchard beekeeper",
            "The rooftop solar array", "A coral reef diver", "The medieval stone bridge"};
    private static final String[] EVENTS = {"logged a storm that lasted three nights", "reported a late frost in spring",
            "measured the spring tides against the old charts", "found water damage on the oldest pages",
            "published a new timetable for the winter", "lost forty metres of ice in a single summer",
            "counted fewer bees after the cold week"};
    private static final String[] OUTCOMES = {"and the council asked for a second survey.", "so the budget was revised.",
            "which surprised the visiting engineers.", "and volunteers repaired what they could.",
            "while the archive kept careful records."};

    private static String id(int i) {
        return String.format("report-%02d.txt", i);
    }

    /** Thirty different texts: subjects cycle every ten, events and outcomes on other periods. */
    private static DocumentV1 document(int i) {
        String text = SUBJECTS[i % SUBJECTS.length] + " " + EVENTS[i % EVENTS.length] + ", " + OUTCOMES[i % OUTCOMES.length]
                + " Report number " + i + " was filed in week " + (i * 3 % 52 + 1) + ".";
        return DocumentV1.upsert("default", id(i), "Report " + i, text, "text/plain", "test", Map.of("n", i));
    }

}
