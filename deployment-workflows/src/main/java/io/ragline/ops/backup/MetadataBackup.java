package io.ragline.ops.backup;

import java.util.List;

/** The metadata dump's artifacts and the schema version they belong to. */
public record MetadataBackup(List<Artifact> artifacts, String schemaVersion) {
}
