package io.ragline.search.api;

/**
 * A request failed in a way the client can act on; rendered as RFC 9457 problem+json.
 * {@code type} is a stable suffix of {@code https://ragline.io/problems/}.
 */
public final class ProblemException extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;

    public ProblemException(int status, String type, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
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
}
