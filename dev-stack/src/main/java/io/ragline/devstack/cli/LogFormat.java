package io.ragline.devstack.cli;

import ch.qos.logback.classic.LoggerContext;
import io.ragline.core.config.Env;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * {@code RAGLINE_LOG_FORMAT}: human-readable lines ({@code text}, the default) or one JSON object per
 * line ({@code json}, for log aggregators). logback.xml picks the appender of that name; the CLI
 * checks the value first, so that a typo is an error rather than a process that logs nothing.
 */
public enum LogFormat {
    text, json;

    /** The context property that carries the process's role into every JSON line. */
    public static final String ROLE = "role";

    public static LogFormat fromEnv(Map<String, String> env) {
        String value = Env.RAGLINE_LOG_FORMAT.get(env);
        for (LogFormat format : values()) {
            if (format.name().equals(value)) {
                return format;
            }
        }
        throw new IllegalArgumentException(Env.RAGLINE_LOG_FORMAT.name() + " must be text or json, was '" + value + "'");
    }

    /**
     * Names this process in its log lines ({@code ingest}, {@code embedder}, {@code search},
     * {@code workflows}, or {@code up} for the embedded platform): JSON lines carry it as {@code role}.
     */
    public static void role(String role) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.putProperty(ROLE, role);
        }
    }

    /**
     * Routes java.util.logging (Lucene, gRPC) into logback, so that its lines take this format too.
     * JSON: an exception that ends a thread is logged (a JSON line with its stack) instead of being
     * printed to stderr by the JVM, which would be a line an aggregator cannot parse.
     */
    void install() {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        if (this == json) {
            Thread.setDefaultUncaughtExceptionHandler((thread, e) ->
                    LoggerFactory.getLogger(LogFormat.class).error("uncaught exception in thread {}", thread.getName(), e));
        }
    }
}
