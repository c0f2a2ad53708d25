package io.ragline.devstack.cli;

import io.ragline.core.config.Env;
import io.ragline.core.runtime.Resources;
import io.ragline.devstack.serve.ServiceRoles;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
    @Parameters(paramLabel = "ROLE", description = "One of: ${COMPLETION-CANDIDATES}.")
    ServiceRoles.Role role;

    @Override
    public Integer call() throws Exception {
        Resources resources = new Resources();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            resources.close();
            stopped.countDown();
        }, "ragline-shutdown"));
        ServiceRoles.start(role, System.getenv(), resources);
        System.out.printf("ragline %s is running; health and metrics on http://%s:%d%n", role,
                Env.RAGLINE_HOST.get(System.getenv()), Env.RAGLINE_HTTP_PORT.getInt(System.getenv()));
        stopped.await();
        return 0;
    }
}
