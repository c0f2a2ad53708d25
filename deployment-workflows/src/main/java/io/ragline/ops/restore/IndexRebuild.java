package io.ragline.ops.restore;

/**
 * How a runtime whose search replicas own their indexes (the distributed form) brings them in line
 * with restored metadata: not from a copy in the backup (an index is the largest thing ragline
 * holds, and every replica has its own) but by rebuilding them from {@code ragline.embeddings}
 * (DESIGN.md invariant 4), nothing embedded again: a re-index generation that reads the log from
 * its start, built beside the serving one on every replica and switched to atomically. The
 * restore runs it as a child workflow with input {@code {"reason": ..., "fromLog": true}}.
 *
 * @param workflowType the re-index workflow's type
 * @param taskQueue    where its worker polls
 */
public record IndexRebuild(String workflowType, String taskQueue) {
    /** ingestion-workflows' {@code ReindexWorkflow}, as {@code ragline serve workflows} registers it. */
    public static final IndexRebuild REINDEX_FROM_LOG = new IndexRebuild("ReindexWorkflow", "ragline-reindex");
}
