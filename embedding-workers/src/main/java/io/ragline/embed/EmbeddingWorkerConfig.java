package io.ragline.embed;

import java.time.Duration;

/**
 * @param bootstrapServers Kafka bootstrap servers
 * @param groupId          the consumer group all workers share (KEDA scales on its lag)
 * @param instanceId       unique per worker; names its transactional producer
 * @param maxBatch         chunks per model call; a transaction holds up to four such batches
 * @param maxWait          how long a poll waits for a batch to fill
 */
public record EmbeddingWorkerConfig(String bootstrapServers, String groupId, String instanceId, int maxBatch,
                                    Duration maxWait) {
    public static final String DEFAULT_GROUP = "ragline-embedding-workers";
}
