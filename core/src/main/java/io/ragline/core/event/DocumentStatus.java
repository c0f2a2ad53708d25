package io.ragline.core.event;

/** A document's lifecycle state, as in DESIGN.md. */
public enum DocumentStatus {
    ACCEPTED, CHUNKED, EMBEDDED, ACTIVE, DELETED, FAILED;

    public boolean pending() {
        return this == ACCEPTED || this == CHUNKED || this == EMBEDDED;
    }
}
