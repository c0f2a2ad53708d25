package io.ragline.ops.dr;

import java.time.Instant;
import java.util.Map;

/**
 * What a disaster-recovery run measured.
 *
 * @param rpoSeconds          age of the restored data when the run started: its start minus the
 *                            backup's {@code createdAt} (the consistent point)
 * @param rpoDocuments        the data lost, counted: documents acknowledged after the consistent
 *                            point, which the target lacks (see {@link DocumentLog}); null: not
 *                            measurable (the source's log unreachable), see the status figure {@code rpoBasis}
 * @param rpoWindowStart      the first of those acknowledgements; null when none
 * @param rpoWindowEnd        the last of them; null when none
 * @param backupCreatedAt     the backup's consistent point (its manifest's {@code createdAt})
 * @param rtoSeconds          wall time from the start of the run until the target served (FAILOVER:
 *                            until traffic was switched)
 * @param previousEnvironment FAILOVER: where traffic went before
 * @param tornDown            DRILL: the target was removed afterwards
 */
public record DrResult(DrMode mode, String backupId, Instant backupCreatedAt, String environment, long rpoSeconds,
                       Long rpoDocuments, Instant rpoWindowStart, Instant rpoWindowEnd,
                       long rtoSeconds, String previousEnvironment, Map<String, Long> restored, boolean tornDown) {
}
