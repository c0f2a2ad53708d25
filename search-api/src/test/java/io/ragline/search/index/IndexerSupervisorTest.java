package io.ragline.search.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.core.metrics.MetricNames;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IndexerSupervisorTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** Runs until closed, or throws at once as an indexer hitting a disk error would. */
    private static final class Task implements IndexerSupervisor.Task {
        private final CountDownLatch closed = new CountDownLatch(1);
        private final boolean crash;
        private final AtomicBoolean caughtUp;

        Task(boolean crash) {
            this(crash, new AtomicBoolean(true));
        }

        Task(boolean crash, AtomicBoolean caughtUp) {
            this.crash = crash;
            this.caughtUp = caughtUp;
        }

        @Override
        public boolean caughtUp() {
            return caughtUp.get();
        }

        @Override
        public void run() {
            if (crash) {
                throw new IllegalStateException("disk full");
            }
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            closed.countDown();
        }

        @Override
        public void kill() {
            closed.countDown();
        }
    }

    @Test
    void aCrashedIndexerIsUnhealthyUntilItIsStartedAgain() {
        AtomicInteger started = new AtomicInteger();
        try (IndexerSupervisor supervisor = new IndexerSupervisor(() -> new Task(started.incrementAndGet() == 1), registry)) {
            supervisor.start();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                    .until(() -> supervisor.failure() != null);
            assertThat(supervisor.healthy()).isFalse();
            assertThat(supervisor.failure()).contains("disk full");
            assertThat(registry.counter(MetricNames.INDEXER_FAILURES).count()).isEqualTo(1);

            await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.running() && supervisor.healthy());
            assertThat(started).hasValue(2);
        }
    }

    @Test
    void theReplicaIsReadyOnceAnIndexerCaughtUpStaysReadyWhilePausedAndCatchesUpAgainAfterACrash() {
        AtomicBoolean caughtUp = new AtomicBoolean(false);
        try (IndexerSupervisor supervisor = new IndexerSupervisor(() -> new Task(false, caughtUp), registry)) {
            assertThat(supervisor.health().ready()).isFalse();
            supervisor.start();
            assertThat(supervisor.health().ready()).isFalse();
            assertThat(supervisor.health().reason()).contains("catching up");

            caughtUp.set(true);
            assertThat(supervisor.health().ready()).isTrue();
            supervisor.stop(); // paused for a backup or a generation switch: still complete up to the pause
            assertThat(supervisor.health().ready()).isTrue();
            caughtUp.set(false);
            supervisor.start();
            assertThat(supervisor.health().ready()).isTrue(); // resumes from where it paused

            supervisor.kill(); // a crash: the next indexer resumes from an older commit
            supervisor.start();
            assertThat(supervisor.health().ready()).isFalse();
            caughtUp.set(true);
            assertThat(supervisor.health().ready()).isTrue();
        }
    }

    @Test
    void aStoppedIndexerIsNotRestarted() {
        try (IndexerSupervisor supervisor = new IndexerSupervisor(() -> new Task(true), registry)) {
            supervisor.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> supervisor.failure() != null);
            supervisor.stop(); // during the pause before the restart: an operator's pause wins
            assertThat(supervisor.healthy()).isTrue();
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                    .until(() -> !supervisor.running() && registry.counter(MetricNames.INDEXER_FAILURES).count() == 1);
        }
    }
}
