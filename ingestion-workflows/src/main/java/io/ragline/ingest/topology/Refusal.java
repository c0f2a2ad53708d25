package io.ragline.ingest.topology;

import io.ragline.core.event.DlqReason;

/** A validation rule refused the record; becomes a DLQ record. */
final class Refusal extends Exception {
    final DlqReason reason;

    Refusal(DlqReason reason, String detail) {
        super(detail, null, false, false); // control flow, no stack trace needed
        this.reason = reason;
    }
}
