package io.ragline.ops.backup;

import io.ragline.ops.OpsMetrics;
import io.ragline.ops.ScratchDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the newest complete backup of a target (its manifest's {@code createdAt} and size) in
 * the backup gauges: at the ops worker's start and then on a timer, so the age the alerts read is
 * the storage's truth, not this process's memory (a fresh process, or one whose peer ran the backup).
 */
public final class NewestBackup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NewestBackup.class);

    private final BackupStores stores;
    private final String target;
    private final OpsMetrics metrics;
    private final Path workDir;
    private final BackupReader reader = new BackupReader();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ragline-backup-gauges");
        t.setDaemon(true);
        return t;
    });

    public NewestBackup(BackupStores stores, String target, OpsMetrics metrics, Path workDir) {
        this.stores = stores;
        this.target = target;
        this.metrics = metrics;
        this.workDir = workDir;
    }

    /** Reads the target now and every {@code every}; a failed read is logged and tried again at the next tick. */
    public NewestBackup start(Duration every) {
        timer.scheduleWithFixedDelay(this::refreshQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The newest complete backup's manifest, now in the gauges; empty when the target holds none. */
    public Optional<BackupManifest> refresh() throws IOException {
        BackupStore store = stores.open(target);
        Optional<String> id = reader.latest(store);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        BackupManifest manifest = ScratchDirs.inScratchDir(workDir, "backup-gauges-",
                dir -> reader.manifest(store, id.get(), dir));
        metrics.backupObserved(manifest.createdAt().getEpochSecond(), manifest.totalBytes());
        return Optional.of(manifest);
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (IOException | RuntimeException e) {
            // the gauges keep what they knew; no gauge at all reads as "never backed up" to the alerts
            log.warn("cannot read the newest backup of {}: {}", target, e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
