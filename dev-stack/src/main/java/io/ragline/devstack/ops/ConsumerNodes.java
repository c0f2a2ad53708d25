package io.ragline.devstack.ops;

/**
 * The platform's nodes that consume from Kafka through a consumer group and write the metadata or
 * feed the index: the ingest topology, the embedding worker and the lifecycle workers. Paused by
 * closing them (each leaves its group) and resumed by creating them again.
 */
public interface ConsumerNodes {
    /** Closes every running node, in reverse data-flow order; returns once each has left its group. Idempotent. */
    void stop();

    /** Creates the nodes that are not running, in data-flow order. Idempotent. */
    void start();
}
