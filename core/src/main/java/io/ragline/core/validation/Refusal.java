package io.ragline.core.validation;

import io.ragline.core.event.DlqReason;

/** A validation rule refused the record; becomes a DLQ record. */
public final class Refusal extends Exception {
    public final DlqReason reason;

    public Refusal(DlqReason reason, String detail) {
        super(detail, null, false, false); // control flow, no stack trace needed
        this.reason = reason;
    }
}
