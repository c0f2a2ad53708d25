package io.ragline.search.index;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ragline.core.metrics.MetricNames;
import io.ragline.core.runtime.Health;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one indexer at a time on its own thread, to be stopped and started as often as operations
 * need (a restore, a generation switch). An indexer that dies on an error is started again after a
 * pause that doubles from a second up to a minute: until then {@link #healthy()} is false, which
 * takes the replica out of readiness (as does an indexer that has not caught up yet, see
 * {@link #health()}), and each crash counts in {@code ragline_indexer_failures_total}.
 * Without this a dead indexer would leave the replica answering from a stale index, silently.
 */
public final class IndexerSupervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IndexerSupervisor.class);
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final Duration LONGEST_PAUSE = Duration.ofMinutes(1);

    /** What the supervisor runs: {@link Indexer}. */
    public interface Task extends Runnable {
        /** Stops the task gracefully (its final commit included); {@link #run()} then returns. */
        void close();

        /** Stops the task as a crash would (no final commit); {@link #run()} then returns. */
        void kill();

        /** Whether the task has read its logs up to where they ended when it started (see {@link Indexer#caughtUp()}). */
        default boolean caughtUp() {
            return true;
        }
    }

    private final Supplier<? extends Task> factory;
    private final Counter failures;
    /** Serialises start, stop and restart: two indexers must never write one index at once. */
    private final ReentrantLock control = new ReentrantLock();
    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("ragline-indexer-restart").unstarted(r));
    // guarded by this
    private Task current;
    private Thread thread;
    private boolean wanted;
    private int consecutiveFailures;
    private volatile String failure;
    /** An indexer caught up since the start or the last crash; a pause (stop, start) keeps it. */
    private volatile boolean caughtUp;

    public IndexerSupervisor(Supplier<? extends Task> factory, MeterRegistry registry) {
        this.factory = factory;
        this.failures = Counter.builder(MetricNames.INDEXER_FAILURES)
                .description("Indexer crashes; each is restarted after a pause").register(registry);
    }

    /** Starts an indexer unless one runs; it resumes from the offsets of the index's last commit. */
    public void start() {
        control.lock();
        try {
            synchronized (this) {
                wanted = true;
                consecutiveFailures = 0;
                if (current == null) {
                    launch();
                }
            }
        } finally {
            control.unlock();
        }
    }

    /** Stops the indexer and returns once it committed what it indexed. Idempotent. */
    public void stop() {
        halt(false);
    }

    /** Fault injection: stops the indexer as a crash would, without its final commit. */
    public void kill() {
        halt(true);
    }

    /** Whether an indexer runs (false while paused, or while a crashed one waits for its restart). */
    public synchronized boolean running() {
        return current != null && thread.isAlive();
    }

    /** False from an indexer's crash until its restart; a paused indexer is healthy. */
    public boolean healthy() {
        return failure == null;
    }

    /**
     * Whether the replica may serve: not while a crashed indexer waits for its restart, and not
     * before an indexer has caught up with the logs, at the start and again after each crash (it
     * resumes from an older commit). An indexer paused for an operation (a backup, a generation
     * switch) keeps the replica ready: its index is complete up to the pause.
     */
    public Health health() {
        String crashed = failure;
        if (crashed != null) {
            return Health.notReady("the indexer crashed and waits for its restart: " + crashed);
        }
        if (!caughtUp) {
            synchronized (this) { // with crashed(): a crashed indexer's catch-up must not count
                if (current == null || !current.caughtUp()) {
                    return Health.notReady("the indexer is catching up with ragline.embeddings and ragline.document-state");
                }
                caughtUp = true;
            }
        }
        return Health.READY;
    }

    /** Why the last indexer crashed, while it waits for its restart; null when healthy. */
    public String failure() {
        return failure;
    }

    private void halt(boolean crash) {
        control.lock();
        try {
            Task task;
            Thread running;
            synchronized (this) {
                wanted = false;
                failure = null;
                if (crash) {
                    caughtUp = false; // as after a real crash: the next indexer resumes from an older commit
                }
                task = current;
                running = thread;
                current = null;
                thread = null;
            }
            if (task == null) {
                return;
            }
            if (crash) {
                task.kill();
            } else {
                task.close();
            }
            running.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            control.unlock();
        }
    }

    // guarded by this
    private void launch() {
        Task task = factory.get();
        current = task;
        thread = Thread.ofPlatform().name("ragline-indexer").start(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                crashed(task, e);
            }
        });
    }

    private synchronized void crashed(Task task, RuntimeException e) {
        if (current != task) {
            return; // stopped meanwhile: nothing to restart
        }
        failures.increment();
        failure = e.toString();
        caughtUp = false;
        current = null;
        thread = null;
        long pause = Math.min(LONGEST_PAUSE.toMillis(), FIRST_PAUSE.toMillis() << Math.min(consecutiveFailures, 10));
        consecutiveFailures++;
        log.error("the indexer stopped on an error; restarting it in {} ms (crash {} in a row)", pause,
                consecutiveFailures, e);
        restarts.schedule(this::restart, pause, TimeUnit.MILLISECONDS);
    }

    private void restart() {
        control.lock();
        try {
            synchronized (this) {
                if (wanted && current == null) {
                    failure = null;
                    launch();
                }
            }
        } finally {
            control.unlock();
        }
    }

    @Override
    public void close() {
        stop();
        restarts.shutdownNow();
    }
}
