package io.ragline.ops;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Workflow-side bookkeeping behind {@code status()}. Lives in workflow state, so it takes the
 * workflow's clock ({@code Workflow::currentTimeMillis}) and nothing else non-deterministic.
 */
public final class StepTracker {
    private final String workflow;
    private final LongSupplier clock;
    private final List<StepEntry> done = new ArrayList<>();
    // insertion-ordered so the UI shows figures in the order they appeared
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private String state = "RUNNING";
    private String current;
    private long currentStart;
    private String reason;

    public StepTracker(String workflow, LongSupplier clock) {
        this.workflow = workflow;
        this.clock = clock;
    }

    /** Starts a step; a step still open is closed as OK. */
    public void begin(String step) {
        if (current != null) {
            end("OK", null);
        }
        current = step;
        currentStart = clock.getAsLong();
    }

    public void end(String outcome, String detail) {
        if (current == null) {
            return;
        }
        done.add(new StepEntry(current, outcome, Instant.ofEpochMilli(currentStart),
                Instant.ofEpochMilli(clock.getAsLong()), detail));
        current = null;
    }

    public void skip(String step, String why) {
        long now = clock.getAsLong();
        done.add(new StepEntry(step, "SKIPPED", Instant.ofEpochMilli(now), Instant.ofEpochMilli(now), why));
    }

    public void figure(String name, Object value) {
        figures.put(name, value);
    }

    public Object figureValue(String name) {
        return figures.get(name);
    }

    public void state(String state) {
        this.state = state;
    }

    public String state() {
        return state;
    }

    /** Closes the open step with {@code outcome} and records the final state. */
    public void finish(String finalState, String outcome, String why) {
        end(outcome, why);
        this.state = finalState;
        this.reason = why;
    }

    public OpsStatus snapshot() {
        List<StepEntry> steps = new ArrayList<>(done);
        String step = current;
        if (current != null) {
            steps.add(new StepEntry(current, "RUNNING", Instant.ofEpochMilli(currentStart), null, null));
        } else if (!done.isEmpty()) {
            step = done.getLast().name();
        }
        return new OpsStatus(workflow, state, step, steps, new LinkedHashMap<>(figures), reason);
    }
}
