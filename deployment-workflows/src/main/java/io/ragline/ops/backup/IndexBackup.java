package io.ragline.ops.backup;

import java.util.List;

/** The index snapshot's artifacts and the probe results recorded around it. */
public record IndexBackup(List<Artifact> artifacts, List<ProbeRecord> probes) {
}
