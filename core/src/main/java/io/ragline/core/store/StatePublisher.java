package io.ragline.core.store;

import io.ragline.core.event.DocumentState;

/** Publishes a document's state durably; returns only once the log has acknowledged it. */
@FunctionalInterface
public interface StatePublisher {
    void publish(DocumentState state);
}
