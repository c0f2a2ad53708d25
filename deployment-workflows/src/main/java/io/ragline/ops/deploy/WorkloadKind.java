package io.ragline.ops.deploy;

/** The controller behind a service: how its image is rolled out and what a canary of it is. */
public enum WorkloadKind {
    /** Kafka consumers and Temporal workers (ingest, embedder, workflows): canary and blue-green are copies. */
    DEPLOYMENT,
    /** Search: each replica owns its index on its volume; canary by {@code rollingUpdate.partition}. */
    STATEFUL_SET
}
