package io.ragline.ops.deploy;

import io.temporal.activity.ActivityInterface;

/** Analysis gates against Prometheus's HTTP API. */
@ActivityInterface(namePrefix = "Analysis")
public interface AnalysisActivities {
    /**
     * One measurement of the pods {@code selector} selects: PromQL label matchers that fill the queries'
     * {@code {{selector}}} (see {@link AnalysisSpec}). Inconclusive (no data) is returned as not passed.
     */
    Measurement measure(AnalysisSpec spec, String selector);
}
