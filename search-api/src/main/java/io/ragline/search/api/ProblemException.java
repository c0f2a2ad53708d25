package io.ragline.search.api;

import java.util.Map;

/**
 * A request failed in a way the client can act on; rendered as RFC 9457 problem+json.
 * {@code type} is a stable suffix of {@code https://ragline.io/problems/}.
 */
public final class ProblemException extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;
    private final Map<String, Object> extensions;

    public ProblemException(int status, String type, String title, String detail) {
        this(status, type, title, detail, Map.of());
    }

    /** @param extensions RFC 9457 extension members, e.g. the DLQ {@code reason} of a refused document */
    public ProblemException(int status, String type, String title, String detail, Map<String, Object> extensions) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.extensions = Map.copyOf(extensions);
    }

    public static ProblemException badRequest(String type, String title, String detail) {
        return new ProblemException(400, type, title, detail);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }
}
