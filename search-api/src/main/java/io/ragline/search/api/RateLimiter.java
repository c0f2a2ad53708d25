package io.ragline.search.api;

import io.ragline.core.store.ApiKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A token bucket per API key: its rate per minute, bursting up to one minute's worth. */
public final class RateLimiter {
    private static final class Bucket {
        double tokens;
        long refilledAt;
    }

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** Takes one token, or answers 429 with the seconds until one is free. */
    public void acquire(ApiKey key) {
        double perNano = key.ratePerMinute() / 60e9;
        Bucket bucket = buckets.computeIfAbsent(key.id(), id -> {
            Bucket b = new Bucket();
            b.tokens = key.ratePerMinute();
            b.refilledAt = System.nanoTime();
            return b;
        });
        synchronized (bucket) {
            long now = System.nanoTime();
            bucket.tokens = Math.min(key.ratePerMinute(), bucket.tokens + (now - bucket.refilledAt) * perNano);
            bucket.refilledAt = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return;
            }
            long retryAfter = (long) Math.ceil((1 - bucket.tokens) / perNano / 1e9);
            throw new RateLimited(key, Math.max(1, retryAfter));
        }
    }

    /** 429, carrying the Retry-After seconds. */
    public static final class RateLimited extends RuntimeException {
        private final long retryAfterSeconds;

        RateLimited(ApiKey key, long retryAfterSeconds) {
            super("the API key " + key.id() + " is limited to " + key.ratePerMinute() + " requests per minute; retry in "
                    + retryAfterSeconds + " s", null, false, false);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }
}
