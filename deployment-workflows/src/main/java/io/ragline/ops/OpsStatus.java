package io.ragline.ops;

import java.util.List;
import java.util.Map;

/**
 * What every operations workflow answers to its {@code status()} query.
 *
 * @param state   RUNNING, PAUSED, AWAITING_APPROVAL, ROLLING_BACK, SUCCEEDED, ROLLED_BACK or FAILED
 * @param step    the step running now (the last one once finished)
 * @param steps   every step so far, oldest first
 * @param figures numbers and names worth watching (images, weights, gate measurements, counts, RPO/RTO)
 * @param reason  why it failed or rolled back
 */
public record OpsStatus(String workflow, String state, String step, List<StepEntry> steps,
                        Map<String, Object> figures, String reason) {
}
