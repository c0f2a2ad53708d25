package io.ragline.ops.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.ops.OpsMetricNames;
import io.ragline.ops.OpsMetrics;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup gauges come from the newest complete manifest in the target, not from this process's runs. */
class NewestBackupTest {
    private final ObjectMapper mapper = JacksonJsonPayloadConverter.newDefaultObjectMapper();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final OpsMetrics metrics = new OpsMetrics(meters);

    @TempDir
    Path tmp;

    @Test
    void aFreshProcessReportsTheNewestCompleteBackupInStorage() throws Exception {
        String target = tmp.resolve("backups").toUri().toString();
        BackupStore store = new BackupStores(null).open(target);
        complete(store, "20260301T090000Z-aaaaaa", 100);
        complete(store, "20260301T100000Z-bbbbbb", 250);
        // a newer run that failed before its manifest: not a backup
        Path partial = Files.writeString(tmp.resolve("partial"), "x");
        store.put("20260301T110000Z-cccccc/metadata/documents.csv", partial);

        NewestBackup newest = new NewestBackup(new BackupStores(null), target, metrics, tmp.resolve("work"));

        assertThat(newest.refresh()).map(BackupManifest::backupId).contains("20260301T100000Z-bbbbbb");
        assertThat(gauge(OpsMetricNames.BACKUP_LAST_SUCCESS))
                .isEqualTo((double) BackupIds.epochMillis("20260301T100000Z-bbbbbb") / 1000);
        assertThat(gauge(OpsMetricNames.BACKUP_SIZE)).isEqualTo(250);
        // no run of this process was counted: the gauges are not a workflow outcome
        assertThat(meters.get(OpsMetricNames.OPS_WORKFLOWS).tag("workflow", "backup").tag("outcome", "completed")
                .counter().count()).isZero();
    }

    @Test
    void anEmptyTargetLeavesTheGaugesAbsentForTheNeverSucceededAlert() throws Exception {
        NewestBackup newest = new NewestBackup(new BackupStores(null), tmp.resolve("none").toUri().toString(), metrics,
                tmp.resolve("work"));

        assertThat(newest.refresh()).isEmpty();
        assertThat(meters.find(OpsMetricNames.BACKUP_LAST_SUCCESS).gauge()).isNull();
    }

    @Test
    void anOlderBackupReadLaterDoesNotMoveTheGaugesBack() {
        metrics.backupCompleted(2_000, 20);
        metrics.backupObserved(1_000, 10);

        assertThat(gauge(OpsMetricNames.BACKUP_LAST_SUCCESS)).isEqualTo(2_000);
        assertThat(gauge(OpsMetricNames.BACKUP_SIZE)).isEqualTo(20);
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    private void complete(BackupStore store, String id, long bytes) throws Exception {
        BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, id,
                Instant.ofEpochMilli(BackupIds.epochMillis(id)), List.of(BackupScope.METADATA), "1", List.of(),
                List.of(), bytes);
        Path file = tmp.resolve(id + ".json");
        mapper.writeValue(file.toFile(), manifest);
        store.put(id + "/" + BackupManifest.FILE, file);
    }
}
