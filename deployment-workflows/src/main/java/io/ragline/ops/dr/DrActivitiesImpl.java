package io.ragline.ops.dr;

import io.ragline.ops.Failures;
import io.ragline.ops.OpsResources;
import io.ragline.ops.ScratchDirs;
import io.ragline.ops.backup.Artifact;
import io.ragline.ops.backup.BackupManifest;
import io.ragline.ops.backup.BackupReader;
import io.ragline.ops.backup.BackupStore;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public final class DrActivitiesImpl implements DrActivities {
    private static final Logger log = LoggerFactory.getLogger(DrActivitiesImpl.class);
    /** Names the setting an operator changes, not the Java type. */
    static final String TRAFFIC_SWITCH = "traffic switch (FAILOVER needs RAGLINE_DR_NAMESPACE: the Kubernetes "
            + "dr overlay; the embedded runtime and the standby of RAGLINE_DR_JDBC_URL can only DRILL, they share "
            + "this machine and its API port)";
    static final String ENVIRONMENTS = "DR environments (RAGLINE_DR_NAMESPACE on Kubernetes, RAGLINE_DR_JDBC_URL "
            + "for a standby beside the distributed platform; the embedded runtime has them built in)";

    private final OpsResources resources;
    private final BackupReader reader = new BackupReader();

    public DrActivitiesImpl(OpsResources resources) {
        this.resources = resources;
    }

    @Override
    public BackupSummary checkPreconditions(DrRequest request) {
        Environments environments = Failures.require(resources.environments(), ENVIRONMENTS);
        TrafficSwitch traffic = request.mode() == DrMode.FAILOVER
                ? Failures.require(resources.traffic(), TRAFFIC_SWITCH) : null;
        BackupSummary backup = verifiedLatest(request.source());
        List<String> problems = environments.check(request.target());
        if (!problems.isEmpty()) {
            throw Failures.permanent("EnvironmentNotReady", "environment " + request.target() + " cannot start: "
                    + String.join("; ", problems));
        }
        if (traffic != null && request.target().equals(traffic.current())) {
            throw Failures.permanent("AlreadyServing", request.target() + " already serves the traffic: "
                    + "nothing to fail over to");
        }
        return backup;
    }

    @Override
    public BackupSummary latestBackup(String source) {
        return ScratchDirs.inScratchDir(resources.workDir(), "dr-", dir -> {
            BackupStore store = resources.stores().open(source);
            String id = reader.resolve(store, "latest");
            return new BackupSummary(id, reader.manifest(store, id, dir).createdAt());
        });
    }

    /** The newest complete backup, every artifact present with the manifest's size and SHA-256. */
    private BackupSummary verifiedLatest(String source) {
        return ScratchDirs.inScratchDir(resources.workDir(), "dr-", dir -> {
            BackupStore store = resources.stores().open(source);
            String id = reader.resolve(store, "latest");
            BackupManifest manifest = reader.manifest(store, id, dir);
            for (Artifact a : manifest.artifacts()) {
                Files.delete(reader.fetch(store, id, a, dir));
            }
            return new BackupSummary(id, manifest.createdAt());
        });
    }

    @Override
    public DataLoss measureDataLoss(Instant consistencyPoint) {
        if (resources.kafka() == null) {
            return DataLoss.unknown("Kafka is not configured in this runtime");
        }
        try {
            return new DocumentLog(resources.kafka()).since(consistencyPoint);
        } catch (ExecutionException | TimeoutException e) {
            // the source's log may be gone with the source: a failover goes on, the loss unmeasured
            log.warn("cannot read the source's document log", e);
            return DataLoss.unknown("the source's document log is unreadable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public EnvironmentInfo startEnvironment(String name) {
        return Failures.require(resources.environments(), ENVIRONMENTS).start(name);
    }

    @Override
    public List<String> smokeTest(String name) {
        return Failures.require(resources.environments(), ENVIRONMENTS).smokeTest(name);
    }

    @Override
    public void tearDown(String name) {
        Failures.require(resources.environments(), ENVIRONMENTS).tearDown(name);
    }

    @Override
    public String switchTraffic(String environment) {
        return Failures.require(resources.traffic(), TRAFFIC_SWITCH).switchTo(environment);
    }

    @Override
    public void publishMetrics(DrMode mode, long rpoSeconds, long rtoSeconds, Long rpoDocuments) {
        resources.metrics().disasterRecovery(mode.name(), rpoSeconds, rtoSeconds);
        if (rpoDocuments != null) {
            resources.metrics().disasterRecoveryDocuments(mode.name(), rpoDocuments);
        }
    }
}
