package io.ragline.devstack.deploy;

import io.ragline.ops.deploy.AnalysisActivities;
import io.ragline.ops.deploy.AnalysisSpec;
import io.ragline.ops.deploy.Measurement;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Gates without Prometheus: measurements pass unless scripted to fail, and every selector the
 * workflow asked about is kept (the real gate against Prometheus is tested elsewhere).
 */
final class ScriptedAnalysis implements AnalysisActivities {
    private final Queue<Boolean> script = new ConcurrentLinkedQueue<>();
    private final List<String> selectors = new CopyOnWriteArrayList<>();

    /** The next measurements, in order: true passes, false fails; after them everything passes. */
    void script(Boolean... outcomes) {
        script.addAll(List.of(outcomes));
    }

    List<String> selectors() {
        return List.copyOf(selectors);
    }

    @Override
    public Measurement measure(AnalysisSpec spec, String selector) {
        selectors.add(selector);
        Boolean next = script.poll();
        boolean pass = next == null || next;
        return pass ? new Measurement(0.999, 80.0, true, "success rate 0.9990, p95 80.0 ms")
                : new Measurement(0.62, 80.0, false, "success rate 0.6200 < 0.9900");
    }
}
