package io.ragline.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class EmbeddedServicesTest {

    private static final String TASK_QUEUE = "devstack-test";

    @WorkflowInterface
    public interface GreetingWorkflow {
        @WorkflowMethod
        String greet(String name, boolean waitForRelease);

        @SignalMethod
        void release();
    }

    @ActivityInterface
    public interface GreetingActivities {
        String compose(String name);
    }

    public static class GreetingActivitiesImpl implements GreetingActivities {
        @Override
        public String compose(String name) {
            return "Hello, " + name + "!";
        }
    }

    public static class GreetingWorkflowImpl implements GreetingWorkflow {
        private final GreetingActivities activities = Workflow.newActivityStub(
                GreetingActivities.class,
                ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10)).build());
        private boolean released;

        @Override
        public String greet(String name, boolean waitForRelease) {
            if (waitForRelease) {
                Workflow.await(() -> released);
            }
            return activities.compose(name);
        }

        @Override
        public void release() {
            released = true;
        }
    }

    static int freePort() throws IOException {
        return FreePorts.next();
    }

    @Test
    void temporalWorkflowRoundTripOnPortBoundServer() throws Exception {
        int port = freePort();
        long t0 = System.nanoTime();
        try (EmbeddedTemporal temporal = EmbeddedTemporal.start(port)) {
            long t1 = System.nanoTime();
            assertThat(temporal.target()).isEqualTo("127.0.0.1:" + port);

            WorkflowServiceStubs stubs = WorkflowServiceStubs.newConnectedServiceStubs(
                    WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build(),
                    Duration.ofSeconds(10));
            WorkflowClient client = WorkflowClient.newInstance(
                    stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
            WorkerFactory factory = WorkerFactory.newInstance(client);
            try {
                Worker worker = factory.newWorker(TASK_QUEUE);
                worker.registerWorkflowImplementationTypes(GreetingWorkflowImpl.class);
                worker.registerActivitiesImplementations(new GreetingActivitiesImpl());
                factory.start();
                long t2 = System.nanoTime();

                // 1. synchronous round trip: workflow -> activity -> result
                GreetingWorkflow wf = client.newWorkflowStub(GreetingWorkflow.class,
                        WorkflowOptions.newBuilder().setTaskQueue(TASK_QUEUE).setWorkflowId("greet-sync").build());
                assertThat(wf.greet("ragline", false)).isEqualTo("Hello, ragline!");
                long t3 = System.nanoTime();
                System.out.printf("[timing] temporal server start %d ms, stubs+client+worker %d ms, first workflow %d ms%n",
                        (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);

                // 2. same workflow id while the first run is still running -> WorkflowExecutionAlreadyStarted
                WorkflowOptions dedup = WorkflowOptions.newBuilder()
                        .setTaskQueue(TASK_QUEUE)
                        .setWorkflowId("greet-dedup")
                        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
                        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                        .build();
                GreetingWorkflow first = client.newWorkflowStub(GreetingWorkflow.class, dedup);
                WorkflowClient.start(first::greet, "first", true);
                GreetingWorkflow second = client.newWorkflowStub(GreetingWorkflow.class, dedup);
                assertThatThrownBy(() -> WorkflowClient.start(second::greet, "second", true))
                        .isInstanceOf(WorkflowExecutionAlreadyStarted.class);

                // 3. release and complete the first run; REJECT_DUPLICATE still refuses the closed id
                first.release();
                assertThat(WorkflowStub.fromTyped(first).getResult(10, TimeUnit.SECONDS, String.class))
                        .isEqualTo("Hello, first!");
                GreetingWorkflow third = client.newWorkflowStub(GreetingWorkflow.class, dedup);
                assertThatThrownBy(() -> WorkflowClient.start(third::greet, "third", false))
                        .isInstanceOf(WorkflowExecutionAlreadyStarted.class);
            } finally {
                factory.shutdown();
                factory.awaitTermination(10, TimeUnit.SECONDS);
                stubs.shutdown();
                stubs.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        // the port is released after close (gRPC finishes its shutdown on its own threads, so allow it a moment)
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).ignoreException(java.net.BindException.class)
                .untilAsserted(() -> {
                    try (ServerSocket reuse = new ServerSocket(port)) {
                        assertThat(reuse.getLocalPort()).isEqualTo(port);
                    }
                });
    }

    @Test
    void postgresRestartOnSameDataDirectoryKeepsRows(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("pgdata");
        int port = freePort();
        int appliedMigrations;

        long t0 = System.nanoTime();
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(dataDir, port)) {
            long t1 = System.nanoTime();
            System.out.printf("[timing] postgres first start (initdb + start) %d ms%n", (t1 - t0) / 1_000_000);
            assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:" + port + "/postgres");
            try (HikariDataSource ds = pool(pg)) {
                // whatever the classpath ships under db/migration (possibly nothing) must apply cleanly
                Flyway flyway = flyway(ds);
                MigrateResult result = flyway.migrate();
                assertThat(result.success).isTrue();
                appliedMigrations = flyway.info().applied().length;
                assertThat(appliedMigrations).isEqualTo(result.migrationsExecuted);
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE devstack_probe (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)");
                    s.executeUpdate("INSERT INTO devstack_probe(body) VALUES ('survives restart')");
                }
            }
        }

        long t2 = System.nanoTime();
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(dataDir, port)) {
            long t3 = System.nanoTime();
            System.out.printf("[timing] postgres restart on existing data dir %d ms%n", (t3 - t2) / 1_000_000);
            try (HikariDataSource ds = pool(pg)) {
                Flyway flyway = flyway(ds);
                assertThat(flyway.migrate().migrationsExecuted).isZero();
                assertThat(flyway.info().applied()).hasSize(appliedMigrations);
                try (Connection c = ds.getConnection();
                        Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT body FROM devstack_probe")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("survives restart");
                    assertThat(rs.next()).isFalse();
                }
            }
        }
    }

    private static Flyway flyway(HikariDataSource ds) {
        return Flyway.configure().dataSource(ds).locations("classpath:db/migration").load();
    }

    private static HikariDataSource pool(EmbeddedPostgres pg) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(pg.jdbcUrl());
        config.setUsername(pg.user());
        config.setPassword(pg.password());
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }
}
