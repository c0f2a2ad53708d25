package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ragline.devstack.eval.BeirDataset;
import io.ragline.devstack.eval.Evaluation;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relevance through the whole pipeline on the CISI collection (../shared/datasets/cisi), as
 * {@code ./ragline eval} measures it: a guard against regressions in chunking, embedding, BM25
 * and fusion. The bars sit a little under what a run measures, since the HNSW graph and so the
 * ranking vary slightly between builds of the index.
 */
class CisiRelevanceTest {
    private static final Path CISI = Path.of("..", "..", "shared", "datasets", "cisi");

    @TempDir
    Path dir;

    @Test
    void hybridBeatsBothRetrieversAndEachModeHoldsItsReferenceLevel() throws Exception {
        assumeTrue(Files.isRegularFile(CISI.resolve("corpus.jsonl")), "the CISI collection is not beside the repository");
        BeirDataset cisi = BeirDataset.load(CISI.resolve("corpus.jsonl"), CISI.resolve("queries.jsonl"), CISI.resolve("qrels.tsv"));
        // a document with no text, as real collections hold: refused into the DLQ, it still settles the load
        List<BeirDataset.Doc> corpus = new ArrayList<>(cisi.corpus());
        corpus.add(new BeirDataset.Doc("no-text", "", ""));
        BeirDataset data = new BeirDataset(corpus, cisi.queries(), cisi.qrels());
        PlatformSettings settings = PlatformSettings.defaults(dir.resolve("data")).withFreePorts();
        try (EmbeddedPlatform platform = EmbeddedPlatform.start(settings, System.out)) {
            Evaluation evaluation = new Evaluation(platform.bootstrapServers(),
                    URI.create("http://127.0.0.1:" + platform.httpPort()), "cisi", platform.devApiKey(), System.out);
            List<Evaluation.ModeResult> results = evaluation.run(data, List.of("hybrid", "keyword", "vector"),
                    Duration.ofMinutes(10));
            assertThat(evaluation.refused()).isEqualTo(1);
            Evaluation.printTable(results, System.out);
            Map<String, Evaluation.ModeResult> byMode = results.stream()
                    .collect(Collectors.toMap(Evaluation.ModeResult::mode, Function.identity()));
            // DESIGN.md's references (exact search, no chunking): BM25 0.3845, dense 0.4327, RRF 0.4562;
            // issue #5 asks hybrid for 0.46. Runs are repeatable: a passage's vector does not depend on
            // how chunks were batched (see OnnxEmbedder), and ties rank by chunk id.
            assertThat(byMode.get("keyword").ndcg10()).isGreaterThanOrEqualTo(0.3845);
            assertThat(byMode.get("vector").ndcg10()).isGreaterThanOrEqualTo(0.4327);
            assertThat(byMode.get("hybrid").ndcg10()).isGreaterThanOrEqualTo(0.46)
                    .isGreaterThan(byMode.get("keyword").ndcg10())
                    .isGreaterThan(byMode.get("vector").ndcg10());
            assertThat(byMode.get("hybrid").recall100()).isGreaterThan(byMode.get("keyword").recall100());
        }
    }

}
