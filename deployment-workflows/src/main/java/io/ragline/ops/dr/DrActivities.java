package io.ragline.ops.dr;

import io.temporal.activity.ActivityInterface;
import java.time.Instant;
import java.util.List;

@ActivityInterface(namePrefix = "Dr")
public interface DrActivities {
    /**
     * Everything the run will need, checked before anything changes: the newest complete backup of
     * {@code source} and its manifest, the target environment, and for FAILOVER a traffic switch
     * that does not already send traffic to the target. Fails permanently (NotConfigured,
     * NoBackup, UnknownEnvironment, AlreadyServing, ...) naming what is missing.
     */
    BackupSummary checkPreconditions(DrRequest request);

    /** The newest complete backup; only for histories from before {@link #checkPreconditions}. */
    BackupSummary latestBackup(String source);

    /** What a target restored from a backup taken at {@code consistencyPoint} lacks of the source's log. */
    DataLoss measureDataLoss(Instant consistencyPoint);

    EnvironmentInfo startEnvironment(String name);

    /** What failed; empty when the environment answers as it should. */
    List<String> smokeTest(String name);

    void tearDown(String name);

    /** Returns the environment that had the traffic. */
    String switchTraffic(String environment);

    void publishMetrics(DrMode mode, long rpoSeconds, long rtoSeconds, Long rpoDocuments);
}
