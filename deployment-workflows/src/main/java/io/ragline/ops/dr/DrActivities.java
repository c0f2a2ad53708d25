package io.ragline.ops.dr;

import io.temporal.activity.ActivityInterface;
import java.util.List;

@ActivityInterface(namePrefix = "Dr")
public interface DrActivities {
    BackupSummary latestBackup(String source);

    EnvironmentInfo startEnvironment(String name);

    /** What failed; empty when the environment answers as it should. */
    List<String> smokeTest(String name);

    void tearDown(String name);

    /** Returns the environment that had the traffic. */
    String switchTraffic(String environment);

    void publishMetrics(DrMode mode, long rpoSeconds, long rtoSeconds);
}
