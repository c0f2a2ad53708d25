package io.ragline.ops.dr;

import java.time.Instant;

/**
 * RPO as data: the documents acknowledged (written to {@code ragline.documents}) after the backup's
 * consistency point, which a target restored from that backup lacks.
 *
 * @param documents   how many; null when the source's log could not be read (then {@code basis} says why)
 * @param windowStart the first such acknowledgement (its record timestamp); null when none
 * @param windowEnd   the last; null when none
 * @param basis       how it was measured, for the operator
 */
public record DataLoss(Long documents, Instant windowStart, Instant windowEnd, String basis) {
    public static DataLoss unknown(String why) {
        return new DataLoss(null, null, null, why);
    }
}
