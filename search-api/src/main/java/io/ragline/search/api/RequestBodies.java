package io.ragline.search.api;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads a request body under the route's own limit. Javalin's {@code maxRequestSize} is one value
 * for the whole server (set to the largest route's limit), so each route checks its own here.
 */
final class RequestBodies {
    private RequestBodies() {
    }

    /** @throws ProblemException 413 {@code body-too-large} naming the limit */
    static byte[] read(Context ctx, long limit) {
        long declared = ctx.contentLength();
        if (declared > limit) {
            throw tooLarge("the body is " + declared + " bytes; the limit for " + ctx.method() + " " + ctx.path()
                    + " is " + limit + " bytes");
        }
        // a chunked body declares no length: count while reading
        try (InputStream in = ctx.req().getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8192);
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) != -1; ) {
                total += n;
                if (total > limit) {
                    throw tooLarge("the body exceeds the limit for " + ctx.method() + " " + ctx.path()
                            + " of " + limit + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the request body", e);
        }
    }

    private static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "body-too-large", "Request body too large", detail);
    }
}
