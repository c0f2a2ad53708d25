package io.ragline.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports for embedded services started side by side (tests, benchmarks, DR drills).
 * A port the OS hands out with {@code new ServerSocket(0)} comes from the ephemeral range, where
 * any outgoing connection of this JVM (a Kafka client, gRPC) may take it as its local port before
 * the service binds it. These come from below that range (Linux starts it at 32768), so only
 * another listener could take them.
 */
public final class FreePorts {
    private static final int LOWEST = 20_000;
    private static final int HIGHEST = 32_767;

    private FreePorts() {
    }

    /** A port nothing listens on now, below the ephemeral range. */
    public static int next() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST + 1);
            try (ServerSocket probe = new ServerSocket(port)) {
                return probe.getLocalPort();
            } catch (IOException taken) {
                // in use: try another
            }
        }
        try (ServerSocket any = new ServerSocket(0)) {
            return any.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port", e);
        }
    }
}
