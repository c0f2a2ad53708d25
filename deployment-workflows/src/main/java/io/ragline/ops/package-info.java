/**
 * Operations on Temporal: deploy (rolling, blue-green, canary), backup, restore and disaster
 * recovery. One package per use case, as in Temporal's samples: workflow interface and
 * implementation, activity interface and implementation side by side. {@link io.ragline.ops.OpsWorker}
 * registers them all on {@link io.ragline.ops.OpsWorker#TASK_QUEUE}.
 */
package io.ragline.ops;
