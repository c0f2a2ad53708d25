package io.ragline.devstack.cli;

import io.ragline.devstack.eval.BeirDataset;
import io.ragline.devstack.eval.Evaluation;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Measure relevance on a BEIR collection through the real pipeline: publish the corpus "
                + "into a fresh tenant, wait until it is indexed, run every query through the REST API in each "
                + "mode, print nDCG@10, Recall@100 and MAP@100.",
                "Example: ./ragline eval --corpus ../shared/datasets/cisi/corpus.jsonl "
                        + "--queries ../shared/datasets/cisi/queries.jsonl --qrels ../shared/datasets/cisi/qrels.tsv"})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--corpus", required = true, description = "BEIR corpus.jsonl ({\"_id\",\"title\",\"text\"} per line).")
    Path corpus;

    @Option(names = "--queries", required = true, description = "BEIR queries.jsonl ({\"_id\",\"text\"} per line).")
    Path queries;

    @Option(names = "--qrels", required = true, description = "BEIR qrels TSV (query-id, corpus-id, score).")
    Path qrels;

    @Option(names = "--tenant", description = "Tenant to index into (default: a fresh eval-<timestamp>).")
    String tenant;

    @Option(names = "--modes", split = ",", defaultValue = "hybrid,keyword,vector",
            description = "Modes to evaluate (default: ${DEFAULT-VALUE}).")
    List<String> modes;

    @Option(names = "--timeout", defaultValue = "PT30M", description = "How long to wait for indexing (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--bootstrap-servers", defaultValue = "${env:RAGLINE_KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (RAGLINE_KAFKA_BOOTSTRAP, default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--url", defaultValue = "${env:RAGLINE_URL:-http://127.0.0.1:8080}",
            description = "Search API base URL (RAGLINE_URL, default: ${DEFAULT-VALUE}).")
    URI url;

    /** An admin key: the evaluation names a fresh tenant. */
    @picocli.CommandLine.Mixin
    ApiKeyOptions keyOptions;

    @Override
    public Integer call() throws Exception {
        String key = keyOptions.require();
        for (Path p : List.of(corpus, queries, qrels)) {
            if (!Files.isRegularFile(p)) {
                System.err.println("error: " + p + " is not a file");
                return 2;
            }
        }
        BeirDataset data = BeirDataset.load(corpus, queries, qrels);
        String t = tenant != null ? tenant : "eval-" + System.currentTimeMillis() / 1000;
        System.out.printf("%d documents, %d judged queries%n", data.corpus().size(), data.queries().size());
        List<Evaluation.ModeResult> results = new Evaluation(bootstrapServers, url, t, key, System.out).run(data, modes, timeout);
        Evaluation.printTable(results, System.out);
        return 0;
    }
}
