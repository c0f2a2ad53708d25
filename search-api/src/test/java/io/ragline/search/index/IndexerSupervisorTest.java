package io.ragline.search.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.core.metrics.MetricNames;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IndexerSupervisorTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** Runs until closed, or throws at once as an indexer hitting a disk error would. */
    private static final class Task implements IndexerSupervisor.Task {
        private final CountDownLatch closed = new CountDownLatch(1);
        private final boolean crash;

        Task(boolean crash) {
            this.crash = crash;
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
