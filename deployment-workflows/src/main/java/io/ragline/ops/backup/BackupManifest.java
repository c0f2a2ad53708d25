package io.ragline.ops.backup;

import java.time.Instant;
import java.util.List;

/**
 * {@code manifest.json}, written last: a backup without one is incomplete and is never restored.
 *
 * @param createdAt     when the backup started: restored data is at least this fresh (RPO)
 * @param schemaVersion the Flyway version of the metadata schema; a restore needs the same
 * @param probes        top results of the probe queries, recorded beside the index snapshot
 */
public record BackupManifest(String format, String backupId, Instant createdAt, List<BackupScope> scope,
                             String schemaVersion, List<Artifact> artifacts, List<ProbeRecord> probes,
                             long totalBytes) {
    public static final String FORMAT = "ragline.backup.v1";
    public static final String FILE = "manifest.json";
}
