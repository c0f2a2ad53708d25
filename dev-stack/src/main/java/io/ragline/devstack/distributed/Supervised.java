package io.ragline.devstack.distributed;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One OS process kept running as a kubelet keeps a container running: when it exits (crash,
 * {@code kill -9}, OOM) it is started again after a pause that doubles from one second up to
 * thirty, and back to one once it stayed up for a minute. Its output is appended to a log file.
 */
final class Supervised implements AutoCloseable {
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration HEALTHY_RUN = Duration.ofMinutes(1);

    private final String name;
    private final ProcessBuilder builder;
    private final Path log;
    private final PrintStream out;
    private final ScheduledExecutorService scheduler;
    private final AtomicInteger restarts = new AtomicInteger();
    private volatile Process process;
    private volatile long startedAtNanos;
    private volatile Duration backoff = FIRST_BACKOFF;
    private volatile boolean stopping;
    private volatile Runnable onRestart = () -> { };

    Supervised(String name, ProcessBuilder builder, Path log, PrintStream out, ScheduledExecutorService scheduler) {
        this.name = name;
        this.builder = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        this.log = log;
        this.out = out;
        this.scheduler = scheduler;
    }

    /** Starts the process (the first time; later starts are the supervisor's). */
    synchronized Supervised start() {
        try {
            Files.createDirectories(log.getParent());
            Process p = builder.start();
            process = p;
            startedAtNanos = System.nanoTime();
            p.onExit().thenAccept(this::exited);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", builder.command()), e);
        }
    }

    private void exited(Process p) {
        if (stopping || p != process) {
            return;
        }
        Duration ran = Duration.ofNanos(System.nanoTime() - startedAtNanos);
        if (ran.compareTo(HEALTHY_RUN) >= 0) {
            backoff = FIRST_BACKOFF;
        }
        Duration wait = nextBackoff();
        out.printf(" [supervisor] %s (pid %d) exited with code %d after %.1f s; restarting in %d s (log: %s)%n",
                name, p.pid(), p.exitValue(), ran.toMillis() / 1000.0, wait.toSeconds(), log);
        out.flush();
        scheduler.schedule(this::restart, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void restart() {
        if (stopping) {
            return;
        }
        try {
            start();
            restarts.incrementAndGet();
            out.printf(" [supervisor] %s restarted, pid %d%n", name, process.pid());
            onRestart.run();
        } catch (UncheckedIOException e) {
            out.printf(" [supervisor] %s could not be restarted: %s; trying again%n", name, e.getMessage());
            exitedLater();
        }
        out.flush();
    }

    private void exitedLater() {
        scheduler.schedule(this::restart, nextBackoff().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The pause before the next start; the one after it doubles, up to {@link #MAX_BACKOFF}. */
    private Duration nextBackoff() {
        Duration wait = backoff;
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
        return wait;
    }

    /** Called after each restart (the platform rewrites roles.json). */
    void onRestart(Runnable action) {
        onRestart = action;
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    /** The pid of the running process (the latest one after a restart). */
    long pid() {
        return process.pid();
    }

    boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** How many times the supervisor started it again. */
    int restarts() {
        return restarts.get();
    }

    /** SIGTERM, as {@code docker stop} or a kubelet sends it; SIGKILL after {@code grace}. */
    void stop(Duration grace) {
        stopping = true;
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }
}
