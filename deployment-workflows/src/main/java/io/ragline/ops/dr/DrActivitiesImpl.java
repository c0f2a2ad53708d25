package io.ragline.ops.dr;

import io.ragline.ops.Failures;
import io.ragline.ops.OpsResources;
import io.ragline.ops.backup.BackupReader;
import io.ragline.ops.backup.BackupStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

public final class DrActivitiesImpl implements DrActivities {
    private final OpsResources resources;
    private final BackupReader reader = new BackupReader();

    public DrActivitiesImpl(OpsResources resources) {
        this.resources = resources;
    }

    @Override
    public BackupSummary latestBackup(String source) {
        try {
            BackupStore store = resources.stores().open(source);
            String id = reader.resolve(store, "latest");
            Files.createDirectories(resources.workDir());
            Path dir = Files.createTempDirectory(resources.workDir(), "dr-");
            try {
                Instant created = reader.manifest(store, id, dir).createdAt();
                return new BackupSummary(id, created);
            } finally {
                Files.deleteIfExists(dir.resolve("manifest.json"));
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public EnvironmentInfo startEnvironment(String name) {
        return Failures.require(resources.environments(), "environments").start(name);
    }

    @Override
    public List<String> smokeTest(String name) {
        return Failures.require(resources.environments(), "environments").smokeTest(name);
    }

    @Override
    public void tearDown(String name) {
        Failures.require(resources.environments(), "environments").tearDown(name);
    }

    @Override
    public String switchTraffic(String environment) {
        return Failures.require(resources.traffic(), "traffic switch").switchTo(environment);
    }

    @Override
    public void publishMetrics(DrMode mode, long rpoSeconds, long rtoSeconds) {
        resources.metrics().disasterRecovery(mode.name(), rpoSeconds, rtoSeconds);
    }

}
