package io.ragline.core.runtime;

import java.time.Duration;
import java.util.Collection;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;

/**
 * The readiness of a loop around one group consumer: ready while the loop runs, the consumer is a
 * member of its group (it is this loop's rebalance listener) and it polled within five minutes (a
 * batch stuck longer costs its membership anyway); otherwise the reason. The loop reports
 * {@link #polled()}, {@link #crashed} and {@link #stopped()}.
 */
public final class ConsumerLoopHealth implements ConsumerRebalanceListener {
    private static final Duration MAX_POLL_SILENCE = Duration.ofMinutes(5);

    private final String what;
    private final String group;
    private final String topic;
    private volatile boolean joined;
    private volatile boolean stopped;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile String failure;

    /** @param what how reasons name the loop, e.g. "the embedding worker" */
    public ConsumerLoopHealth(String what, String group, String topic) {
        this.what = what;
        this.group = group;
        this.topic = topic;
    }

    public void polled() {
        lastPollNanos = System.nanoTime();
    }

    /** Before the loop's clean-up, which may take a while after a crash. */
    public void crashed(Throwable e) {
        failure = e.toString();
    }

    public void stopped() {
        stopped = true;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        joined = true;
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        joined = false;
    }

    /** @param running whether the loop has not been asked to stop */
    public Health health(boolean running) {
        String crashed = failure;
        if (crashed != null) {
            return Health.notReady(what + " crashed: " + crashed);
        }
        if (stopped || !running) {
            return Health.notReady(what + " is stopped");
        }
        if (!joined) {
            return Health.notReady(what + " has not joined consumer group " + group + " yet");
        }
        long silence = System.nanoTime() - lastPollNanos;
        if (silence > MAX_POLL_SILENCE.toNanos()) {
            return Health.notReady(what + " has not polled " + topic + " for " + Duration.ofNanos(silence).toSeconds() + " s");
        }
        return Health.READY;
    }
}
