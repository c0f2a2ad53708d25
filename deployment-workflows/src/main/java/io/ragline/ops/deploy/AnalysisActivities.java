package io.ragline.ops.deploy;

import io.temporal.activity.ActivityInterface;

/** Analysis gates against Prometheus's HTTP API. */
@ActivityInterface(namePrefix = "Analysis")
public interface AnalysisActivities {
    /** One measurement of the pods {@code selector} matches (see {@link AnalysisSpec} for the placeholders). */
    Measurement measure(AnalysisSpec spec, String selector);
}
