package io.ragline.search.api;

import io.ragline.core.config.Env;
import java.time.Duration;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica that answers badly on purpose, to see a deploy gate fail: each {@code /v1} request
 * waits {@code delay}, then a share {@code errorRate} of them is answered 503 (problem+json).
 * Configured by {@link Env#RAGLINE_FAULT_HTTP_ERROR_RATE} and {@link Env#RAGLINE_FAULT_HTTP_DELAY_MS}.
 */
public final class InjectedHttpFaults implements HttpFaults {
    private static final Logger log = LoggerFactory.getLogger(InjectedHttpFaults.class);
    private static final long MAX_DELAY_MS = 60_000;

    private final double errorRate;
    private final Duration delay;
    private final RandomGenerator random;

    public InjectedHttpFaults(double errorRate, Duration delay, RandomGenerator random) {
        if (!(errorRate >= 0 && errorRate <= 1)) {
            throw new IllegalArgumentException(Env.RAGLINE_FAULT_HTTP_ERROR_RATE.name()
                    + " must be a fraction between 0 and 1, was " + errorRate);
        }
        if (delay.isNegative() || delay.toMillis() > MAX_DELAY_MS) {
            throw new IllegalArgumentException(Env.RAGLINE_FAULT_HTTP_DELAY_MS.name() + " must be between 0 and "
                    + MAX_DELAY_MS + " milliseconds, was " + delay.toMillis());
        }
        this.errorRate = errorRate;
        this.delay = delay;
        this.random = random;
    }

    /** {@link HttpFaults#NONE} unless the environment asks for faults; when it does, says so loudly. */
    public static HttpFaults fromEnv(Map<String, String> env) {
        double errorRate = Env.RAGLINE_FAULT_HTTP_ERROR_RATE.getDouble(env);
        long delayMs;
        try {
            delayMs = Long.parseLong(Env.RAGLINE_FAULT_HTTP_DELAY_MS.get(env).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(Env.RAGLINE_FAULT_HTTP_DELAY_MS.name() + " must be a whole number of "
                    + "milliseconds, was '" + Env.RAGLINE_FAULT_HTTP_DELAY_MS.get(env) + "'", e);
        }
        InjectedHttpFaults faults = new InjectedHttpFaults(errorRate, Duration.ofMillis(delayMs), RandomGenerator.getDefault());
        if (errorRate == 0 && delayMs == 0) {
            return NONE;
        }
        log.warn("FAULT INJECTION IS ON: {} (RAGLINE_FAULT_HTTP_ERROR_RATE / RAGLINE_FAULT_HTTP_DELAY_MS; a test and "
                + "chaos facility: never set them in production)", faults.describe());
        return faults;
    }

    @Override
    public void beforeRequest() throws InterruptedException {
        if (delay.isPositive()) {
            Thread.sleep(delay); // the fault itself: a slow replica
        }
        if (errorRate > 0 && random.nextDouble() < errorRate) {
            throw new ProblemException(503, "injected-fault", "Service unavailable (injected fault)",
                    "fault injection: this replica answers " + describe() + " on purpose; unset "
                            + Env.RAGLINE_FAULT_HTTP_ERROR_RATE.name() + " to stop it");
        }
    }

    String describe() {
        String percent = java.math.BigDecimal.valueOf(errorRate).movePointRight(2).stripTrailingZeros().toPlainString();
        return percent + "% of /v1 requests answered 503, each delayed by " + delay.toMillis() + " ms";
    }
}
