package io.ragline.ops.backup;

import java.util.List;

/**
 * The one input of {@link BackupWorkflow}. Every field is optional; {@link BackupSettings} fills
 * the gaps, so {@code {}} is a valid request.
 *
 * @param scope         any of {@code metadata}, {@code index}, {@code kafkaOffsets}, {@code kubernetesConfig}
 * @param target        {@code file:///path} or {@code s3://bucket/prefix}
 * @param retentionDays complete backups older than this are deleted (the newest one never is)
 * @param namespace     Kubernetes namespace for {@code kubernetesConfig}
 * @param probes        queries whose top results the restore must reproduce
 */
public record BackupRequest(List<BackupScope> scope, String target, Integer retentionDays, String namespace,
                            List<ProbeQuery> probes) {

    public BackupRequest withDefaults(BackupSettings settings) {
        BackupRequest d = settings.defaults();
        BackupRequest r = new BackupRequest(
                scope == null || scope.isEmpty() ? d.scope() : List.copyOf(scope),
                target == null || target.isBlank() ? d.target() : target,
                retentionDays == null ? d.retentionDays() : retentionDays,
                namespace == null || namespace.isBlank() ? d.namespace() : namespace,
                probes == null ? d.probes() : probes);
        if (r.target() == null || r.target().isBlank()) {
            throw new IllegalArgumentException("'target' is required (file:///path or s3://bucket/prefix)");
        }
        if (r.retentionDays() == null || r.retentionDays() < 1) {
            throw new IllegalArgumentException("'retentionDays' must be at least 1, was " + r.retentionDays());
        }
        return r;
    }
}
