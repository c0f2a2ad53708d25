package io.ragline.ops.deploy;

import io.temporal.activity.ActivityInterface;

/** Analysis gates against Prometheus's HTTP API. */
@ActivityInterface(namePrefix = "Analysis")
public interface AnalysisActivities {
    /** One measurement of {@code target} (see {@link AnalysisSpec} for the placeholders). */
    Measurement measure(AnalysisSpec spec, String target);
}
