package io.ragline.devstack;

import io.temporal.testserver.TestServer;

/**
 * In-memory Temporal service (the Java "test server" from {@code io.temporal:temporal-test-server}) bound to a TCP port,
 * so that regular gRPC clients ({@code WorkflowServiceStubs} with target {@link #target()}) can talk to it.
 *
 * <p>State lives only in memory: workflows, histories and task queues are lost on {@link #close()}.
 * Time skipping is locked (disabled), so timers run in real time, like a real server.
 *
 * <p>Note: the server binds the port on all interfaces (gRPC {@code Grpc.newServerBuilderForPort}), not only loopback.
 * Close order for callers: {@code WorkerFactory.shutdown()/awaitTermination}, then {@code WorkflowServiceStubs.shutdown()},
 * then this.
 */
public final class EmbeddedTemporal implements AutoCloseable {

    private final TestServer.PortBoundTestServer server;
    private final int port;
    private volatile boolean closed;

    private EmbeddedTemporal(TestServer.PortBoundTestServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Starts the service on the given port (must be free, 1..65535). Returns once the gRPC server is listening.
     *
     * @throws IllegalStateException if the port cannot be bound
     */
    public static EmbeddedTemporal start(int port) {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, got " + port);
        }
        try {
            // createPortBoundServer(port) == createPortBoundServer(port, lockTimeSkipping = true)
            return new EmbeddedTemporal(TestServer.createPortBoundServer(port), port);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Could not start embedded Temporal on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** gRPC target for {@code WorkflowServiceStubsOptions.Builder#setTarget}, e.g. {@code 127.0.0.1:7233}. */
    public String target() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Stops the gRPC server (waits up to 5 s for in-flight calls) and the in-memory services. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
    }
}
