package io.ragline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What {@link OpsMetrics} counts for a finished workflow against what RaglineOpsWorkflowFailed
 * selects, in both rule files: every failure (a rolled-back deploy too) fires it, a success never.
 */
class OpsAlertsTest {
    private static final List<Path> RULES = List.of(Path.of("../monitoring/prometheus/rules/ragline.rules.yml"),
            Path.of("../k8s/base/monitoring/prometheusrule.yaml"));

    @Test
    void everyFailedOutcomeMatchesTheAlertAndNoSuccessDoes() throws Exception {
        for (Path rules : RULES) {
            Pattern workflows = label(rules, "workflow");
            Pattern outcomes = label(rules, "outcome");
            assertThat(alerted(workflows, outcomes, m -> m.deploymentFinished("CANARY", "ROLLED_BACK")))
                    .as(rules + ": a rolled-back deploy").isTrue();
            assertThat(alerted(workflows, outcomes, m -> m.deploymentFinished("ROLLING", "FAILED")))
                    .as(rules + ": a failed deploy").isTrue();
            assertThat(alerted(workflows, outcomes, m -> m.workflowFinished("dr", "failed")))
                    .as(rules + ": a failed DR run").isTrue();
            assertThat(alerted(workflows, outcomes, m -> m.workflowFinished("backup", "failed")))
                    .as(rules + ": a failed backup").isTrue();
            assertThat(alerted(workflows, outcomes, m -> m.workflowFinished("restore", "failed")))
                    .as(rules + ": a failed restore").isTrue();
            assertThat(alerted(workflows, outcomes, m -> m.backupCompleted(1_000, 1)))
                    .as(rules + ": a backup that completed").isFalse();
            assertThat(alerted(workflows, outcomes, m -> m.deploymentFinished("BLUE_GREEN", "SUCCEEDED")))
                    .as(rules + ": a deploy that succeeded").isFalse();
            assertThat(alerted(workflows, outcomes, m -> m.workflowFinished("dr", "completed")))
                    .as(rules + ": a DR run that completed").isFalse();
        }
    }

    @Test
    void theSeriesADeployCountsExistAtZeroBeforeTheFirstOne() {
        // increase() sees nothing of a series whose first sample is already 1
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new OpsMetrics(registry);
        for (String outcome : List.of("completed", "failed", "rolled_back")) {
            assertThat(registry.get(OpsMetricNames.OPS_WORKFLOWS).tag("workflow", "deploy").tag("outcome", outcome)
                    .counter().count()).as(outcome).isZero();
        }
    }

    /** Whether the one series that {@code finish} incremented is one the alert selects. */
    private static boolean alerted(Pattern workflows, Pattern outcomes,
                                   java.util.function.Consumer<OpsMetrics> finish) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        finish.accept(new OpsMetrics(registry));
        List<Counter> counted = registry.find(OpsMetricNames.OPS_WORKFLOWS).counters().stream()
                .filter(c -> c.count() > 0).toList();
        assertThat(counted).hasSize(1);
        Counter c = counted.getFirst();
        // PromQL label matchers are anchored
        return workflows.matcher(c.getId().getTag("workflow")).matches()
                && outcomes.matcher(c.getId().getTag("outcome")).matches();
    }

    private static Pattern label(Path rules, String label) throws Exception {
        String text = Files.readString(rules);
        int alert = text.indexOf("alert: RaglineOpsWorkflowFailed");
        assertThat(alert).as(rules + " has RaglineOpsWorkflowFailed").isPositive();
        Matcher m = Pattern.compile("ragline_ops_workflows_total\\{[^}]*\\b" + label + "=~\"([^\"]+)\"")
                .matcher(text);
        assertThat(m.find(alert)).as(rules + ": " + label + " matcher").isTrue();
        return Pattern.compile(m.group(1));
    }
}
