package io.ragline.search.api;

/**
 * Fault injection for tests and chaos drills: what a replica does wrong on purpose before it
 * handles a {@code /v1} request. Production runs {@link #NONE}; {@link InjectedHttpFaults} is
 * switched on by environment variables.
 */
public interface HttpFaults {
    HttpFaults NONE = () -> { };

    /**
     * Called before each {@code /v1} request; may delay it, or answer it instead by throwing a
     * {@link ProblemException}.
     */
    void beforeRequest() throws InterruptedException;
}
