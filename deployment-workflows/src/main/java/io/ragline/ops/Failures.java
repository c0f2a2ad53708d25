package io.ragline.ops;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;

/** Helpers to turn Temporal failures into the one line an operator reads. */
public final class Failures {
    private Failures() {
    }

    /** The innermost message: "gate failed: success rate 0.82 < 0.99" rather than "Activity task failed". */
    public static String describe(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ApplicationFailure af) {
            return af.getOriginalMessage();
        }
        if (cause instanceof TemporalFailure tf) {
            return tf.getOriginalMessage();
        }
        return String.valueOf(cause.getMessage());
    }

    /** A failure no retry can fix (bad input, missing object, checksum mismatch). */
    public static ApplicationFailure permanent(String type, String message) {
        return ApplicationFailure.newNonRetryableFailure(message, type);
    }

    /** A capability this runtime was not given (for example no Kubernetes in the embedded platform). */
    public static <T> T require(T resource, String what) {
        if (resource == null) {
            throw permanent("NotConfigured", what + " is not configured in this runtime");
        }
        return resource;
    }
}
