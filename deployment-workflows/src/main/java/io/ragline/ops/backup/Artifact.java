package io.ragline.ops.backup;

import java.util.Map;

/**
 * One file of a backup.
 *
 * @param name   its key under the backup, e.g. {@code metadata/documents.csv}
 * @param counts what a restore must find again, e.g. {@code rows}, {@code documents}, {@code offsets}
 */
public record Artifact(String name, BackupScope scope, String sha256, long bytes, Map<String, Long> counts) {
}
