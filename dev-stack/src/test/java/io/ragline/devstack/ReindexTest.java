package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.event.DocumentV1;
import io.ragline.core.generation.GenerationStatus;
import io.ragline.core.runtime.Resources;
import io.ragline.devstack.cli.RaglineCli;
import io.ragline.devstack.serve.Temporal;
import io.ragline.ingest.reindex.ReindexPhase;
import io.ragline.ingest.reindex.ReindexProgress;
import io.ragline.ingest.reindex.ReindexWorkflow;
import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A re-index on the embedded platform (real broker, Temporal test server, PostgreSQL, model and
 * Lucene), started as an operator would with {@code ragline reindex}: searches keep answering from
 * generation 1 while generation 2 fills, then answer the same from generation 2, whose
 * predecessor's directory is gone; documents published meanwhile are searchable after the switch,
 * and a restart serves generation 2.
 */
class ReindexTest {
    private static final int DOCUMENTS = 20;
    private static final Duration SETTLE = Duration.ofMinutes(4);
    private static final String WORKFLOW_ID = "reindex/test";

    @TempDir
    Path dir;

    @Test
    void reindexBuildsANewGenerationWhileTheOldServesThenSwitches() throws Exception {
        int kafka = freePort();
        int controller = freePort();
        int temporal = freePort();
        int postgres = freePort();
        int http = freePort();
        Path data = dir.resolve("data");
        PlatformSettings settings = PlatformSettings.defaults(data).withPorts(kafka, controller, temporal, postgres, http);
        try (EmbeddedPlatform platform = EmbeddedPlatform.start(settings, System.out);
             PlatformClient client = new PlatformClient(platform.bootstrapServers(), platform.httpPort(), platform.devApiKey());
             Resources resources = new Resources()) {
            for (int i = 0; i < DOCUMENTS; i++) {
                client.publish(document(i));
            }
            await().atMost(SETTLE).untilAsserted(() ->
                    assertThat(client.get("/v1/stats").path("documents").path("active").asLong()).isEqualTo(DOCUMENTS));
            long chunks = client.get("/v1/stats").path("chunks").asLong();
            assertThat(platform.generations().generations().serving()).isEqualTo(1);
            assertThat(platform.index().path()).isEqualTo(data.resolve("index"));

            String target = "127.0.0.1:" + temporal;
            CompletableFuture<Integer> cli = CompletableFuture.supplyAsync(() -> new CommandLine(new RaglineCli())
                    .execute("reindex", "--temporal", target, "--workflow-id", WORKFLOW_ID, "--batch-size", "7",
                            "--reason", "test"));
            WorkflowClient temporalClient = Temporal.connect(target, "default", resources);
            ReindexWorkflow reindex = temporalClient.newWorkflowStub(ReindexWorkflow.class, WORKFLOW_ID);

            List<ReindexProgress> seen = new ArrayList<>();
            List<String> late = new ArrayList<>();
            int[] searches = {0};
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(250)).until(() -> {
                GenerationStatus generations = platform.generations().generations();
                ReindexProgress progress = query(reindex);
                if (progress != null) {
                    seen.add(progress);
                    if (progress.phase().compareTo(ReindexPhase.SWITCHING) < 0) {
                        // the old generation serves until the new one is complete
                        assertThat(generations.serving()).as("serving while %s", progress.phase()).isEqualTo(1);
                        int i = searches[0]++ % DOCUMENTS;
                        assertThat(firstHit(client, uniquePhrase(i))).isEqualTo(id(i));
                    }
                    if (late.isEmpty() && (progress.phase() == ReindexPhase.SCANNING
                            || progress.phase() == ReindexPhase.EMBEDDING)) {
                        // published while the re-index runs: must be searchable after the switch
                        for (int i = 0; i < 2; i++) {
                            client.publish(DocumentV1.upsert("default", "late-" + i + ".txt", "Late " + i,
                                    "A late note about the " + LATE[i] + " that arrived during the re-index.",
                                    "text/plain", "test", Map.of()));
                            late.add("late-" + i + ".txt");
                        }
                    }
                }
                return cli.isDone();
            });
            assertThat(cli.get(10, TimeUnit.SECONDS)).as("ragline reindex exit code").isZero();

            ReindexProgress result = reindex.progress();
            assertThat(result.phase()).isEqualTo(ReindexPhase.DONE);
            assertThat(result.generation()).isEqualTo(2);
            assertThat(result.chunksRepublished()).isGreaterThanOrEqualTo(chunks);
            assertThat(result.chunksIndexed()).isGreaterThanOrEqualTo(result.expectedChunks()).isGreaterThanOrEqualTo(chunks);
            assertThat(searches[0]).as("searches answered while the re-index ran").isPositive();
            assertThat(late).hasSize(2);
            for (int i = 1; i < seen.size(); i++) {
                ReindexProgress before = seen.get(i - 1);
                ReindexProgress after = seen.get(i);
                assertThat(after.phase()).isGreaterThanOrEqualTo(before.phase());
                assertThat(after.chunksScanned()).isGreaterThanOrEqualTo(before.chunksScanned());
                assertThat(after.chunksRepublished()).isGreaterThanOrEqualTo(before.chunksRepublished());
                assertThat(after.startedAtMillis()).isEqualTo(before.startedAtMillis());
            }

            assertThat(platform.generations().generations().serving()).isEqualTo(2);
            assertThat(platform.index().path()).isEqualTo(data.resolve("index-gen-2"));
            assertThat(data.resolve("index")).doesNotExist();
            assertThat(Files.isDirectory(data.resolve("index-gen-2"))).isTrue();
            for (int i = 0; i < DOCUMENTS; i++) {
                assertThat(firstHit(client, uniquePhrase(i))).isEqualTo(id(i));
            }
            await().atMost(SETTLE).untilAsserted(() -> {
                assertThat(firstHit(client, "late note " + LATE[0])).isEqualTo("late-0.txt");
                assertThat(firstHit(client, "late note " + LATE[1])).isEqualTo("late-1.txt");
                assertThat(client.get("/v1/stats").path("documents").path("active").asLong()).isEqualTo(DOCUMENTS + 2);
            });
            platform.close();
        }

        // a restart finds out from ragline.index-generations that generation 2 serves, and serves it from disk
        PlatformSettings again = PlatformSettings.defaults(data).withPorts(freePort(), freePort(), freePort(), freePort(),
                freePort());
        try (EmbeddedPlatform platform = EmbeddedPlatform.start(again, System.out);
             PlatformClient client = new PlatformClient(platform.bootstrapServers(), platform.httpPort(), platform.devApiKey())) {
            assertThat(platform.generations().generations().serving()).isEqualTo(2);
            assertThat(platform.index().path()).isEqualTo(data.resolve("index-gen-2"));
            assertThat(data.resolve("index")).doesNotExist();
            await().atMost(SETTLE).untilAsserted(() -> {
                assertThat(firstHit(client, uniquePhrase(5))).isEqualTo(id(5));
                assertThat(firstHit(client, "late note " + LATE[1])).isEqualTo("late-1.txt");
            });
        }
    }

    private static ReindexProgress query(ReindexWorkflow reindex) {
        try {
            return reindex.progress();
        } catch (RuntimeException e) {
            return null; // not started or not picked up by the worker yet
        }
    }

    private static String firstHit(PlatformClient client, String query) throws Exception {
        PlatformClient.Response response = client.search(query, 3, "keyword");
        assertThat(response.status()).isEqualTo(200);
        JsonNode results = response.body().path("results");
        return results.isEmpty() ? null : results.get(0).path("documentId").asText();
    }

    private static final String[] LATE = {"vermilion walrus", "umber wombat"};
    private static final String[] WORDS = {"amber", "basalt", "cobalt", "dahlia", "ember", "fjord", "garnet",
            "harbor", "indigo", "juniper", "kestrel", "lantern", "meadow", "nectar", "obsidian", "pewter",
            "quartz", "russet", "saffron", "tundra"};
    private static final String[] ANIMALS = {"axolotl", "bison", "caracal", "dugong", "egret", "ferret", "gecko",
            "hoopoe", "ibex", "jackal", "koala", "lemur", "marmot", "narwhal", "ocelot", "pangolin", "quokka",
            "raccoon", "stoat", "tapir"};

    private static String id(int i) {
        return String.format("note-%02d.txt", i);
    }

    private static String uniquePhrase(int i) {
        return WORDS[i] + " " + ANIMALS[i];
    }

    private static DocumentV1 document(int i) {
        String text = "Field note " + i + ". The " + uniquePhrase(i) + " expedition reached the valley at dawn. "
                + "Everyone wrote down what they saw, and the archive kept a copy of each report.";
        return DocumentV1.upsert("default", id(i), "Note " + i, text, "text/plain", "test", Map.of("n", i));
    }

    private static int freePort() throws IOException {
        return FreePorts.next();
    }
}
