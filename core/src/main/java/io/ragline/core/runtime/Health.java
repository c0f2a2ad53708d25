package io.ragline.core.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether a node is ready to take work ({@code /health/ready}), and if not, why: the reason goes
 * into the 503 answer, so an operator sees what a replica waits for without reading its log.
 */
public record Health(boolean ready, String reason) {
    public static final Health READY = new Health(true, null);

    public static Health notReady(String reason) {
        return new Health(false, reason);
    }

    /** This health if not ready, else the next one: the first reason wins. */
    public Health and(Health next) {
        return ready ? next : this;
    }

    /** The JSON body of {@code /health/ready}: {@code {"status":"UP"}} or {@code {"status":"DOWN","reason":...}}. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "UP" : "DOWN");
        if (!ready && reason != null) {
            body.put("reason", reason);
        }
        return body;
    }
}
