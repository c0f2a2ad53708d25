package io.ragline.devstack.serve;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ragline.core.json.Json;
import io.ragline.core.runtime.Health;
import java.util.Map;
import java.util.function.Supplier;

/** Health, metrics and (for workers) extra JSON endpoints of a service that has no API of its own. */
public final class HealthServer implements AutoCloseable {
    private final Javalin app;

    /** @param ready what {@code /health/ready} answers: 200, or 503 with the reason in the JSON */
    public HealthServer(String host, int port, PrometheusMeterRegistry registry, Supplier<Health> ready,
                        Map<String, Supplier<Object>> jsonRoutes) {
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
            config.routes.get("/health/ready", ctx -> {
                Health health = ready.get();
                ctx.status(health.ready() ? 200 : 503).json(health.body());
            });
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(registry.scrape()));
            jsonRoutes.forEach((path, body) -> config.routes.get(path,
                    ctx -> ctx.contentType("application/json").result(Json.write(body.get()))));
        }).start(host, port);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
