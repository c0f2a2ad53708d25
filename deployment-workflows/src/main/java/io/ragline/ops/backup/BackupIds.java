package io.ragline.ops.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** Backup ids sort by time ({@code 20260115T093000Z-3f9a1c}), so the newest is the greatest. */
public final class BackupIds {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private BackupIds() {
    }

    /** From the workflow's clock and {@code Workflow.randomUUID()}, so replay gives the same id. */
    public static String newId(long epochMillis, UUID random) {
        return FORMAT.format(Instant.ofEpochMilli(epochMillis)) + "-" + random.toString().substring(0, 6);
    }

    /** When the backup started, read back from its id. */
    public static long epochMillis(String id) {
        return Instant.from(FORMAT.parse(id.substring(0, 16))).toEpochMilli();
    }

    /** Whether {@code name} looks like a backup id (ids travel into paths and object keys). */
    public static boolean valid(String name) {
        return name != null && name.matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}");
    }
}
