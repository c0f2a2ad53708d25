package io.ragline.devstack.cli;

import io.ragline.core.config.Env;
import io.ragline.core.runtime.Resources;
import io.ragline.devstack.serve.ServiceRoles;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run one part of the platform as its own service, against external Kafka, Temporal and "
                + "PostgreSQL (the distributed deployment: docker-compose.yml, k8s/).",
                "Configured only by environment variables (see core/.../config/Env.java): RAGLINE_KAFKA_BOOTSTRAP, "
                        + "RAGLINE_TEMPORAL_TARGET, RAGLINE_JDBC_URL, RAGLINE_JDBC_USER, RAGLINE_JDBC_PASSWORD, "
                        + "RAGLINE_DATA_DIR, RAGLINE_HOST, RAGLINE_HTTP_PORT, RAGLINE_URL, ...",
                "Every role serves /health/live, /health/ready and /metrics on RAGLINE_HTTP_PORT."})
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Parameters(paramLabel = "ROLE", description = "One of: ${COMPLETION-CANDIDATES}.")
    ServiceRoles.Role role;

    @Override
    public Integer call() throws Exception {
        LogFormat.role(role.name());
        Resources resources = new Resources();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            resources.close();
            stopped.countDown();
        }, "ragline-shutdown"));
        ServiceRoles.start(role, System.getenv(), resources);
        // a log line, not stdout: with RAGLINE_LOG_FORMAT=json everything a service writes is JSON
        log.info("ragline {} is running; health and metrics on http://{}:{}", role,
                Env.RAGLINE_HOST.get(System.getenv()), Env.RAGLINE_HTTP_PORT.getInt(System.getenv()));
        stopped.await();
        return 0;
    }
}
