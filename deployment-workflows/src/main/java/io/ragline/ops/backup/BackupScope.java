package io.ragline.ops.backup;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a backup holds; spelled in JSON as the issue and the README spell it. */
public enum BackupScope {
    /** PostgreSQL metadata: one CSV per table from {@code COPY}, plus the schema version. */
    @JsonProperty("metadata") METADATA,
    /** A consistent snapshot of the search index, through {@link IndexSnapshots}. */
    @JsonProperty("index") INDEX,
    /** Consumer-group offsets and topic configurations, through Kafka's Admin API. */
    @JsonProperty("kafkaOffsets") KAFKA_OFFSETS,
    /** Deployments, Services, Ingresses and ConfigMaps of a namespace (not Secrets). */
    @JsonProperty("kubernetesConfig") KUBERNETES_CONFIG
}
