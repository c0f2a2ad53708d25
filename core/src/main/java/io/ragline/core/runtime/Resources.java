package io.ragline.core.runtime;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node started, closed in reverse order: later parts depend on earlier ones. Background
 * loops run on named threads and are stopped (and joined) in the same order.
 */
public final class Resources implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Resources.class);

    /** A loop that runs on its own thread until closed. */
    public interface Loop extends Runnable, AutoCloseable {
    }

    private final Deque<AutoCloseable> stack = new ArrayDeque<>();

    public <T extends AutoCloseable> T add(T resource) {
        stack.push(resource);
        return resource;
    }

    /** Runs the loop on a named thread; closing it stops the loop and waits up to 30 s for the thread. */
    public <T extends Loop> T background(String name, T loop) {
        Thread thread = Thread.ofPlatform().name(name).start(() -> {
            try {
                loop.run();
            } catch (RuntimeException e) {
                log.error("{} stopped on an error", name, e);
            }
        });
        stack.push(() -> {
            loop.close();
            thread.join(TimeUnit.SECONDS.toMillis(30));
        });
        return loop;
    }

    /** Closes everything in reverse order; a part's failure is logged and the rest still close. */
    @Override
    public synchronized void close() {
        while (!stack.isEmpty()) {
            AutoCloseable next = stack.pop();
            try {
                next.close();
            } catch (Exception e) {
                log.warn("error while stopping {}", next, e);
            }
        }
    }
}
