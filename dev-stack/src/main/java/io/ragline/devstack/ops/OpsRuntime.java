package io.ragline.devstack.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.ragline.core.runtime.Resources;
import io.ragline.devstack.PlatformSettings;
import io.ragline.ops.OpsMetrics;
import io.ragline.ops.OpsResources;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.backup.BackupSettings;
import io.ragline.ops.backup.BackupStores;
import io.ragline.ops.deploy.DeploySettings;
import io.ragline.search.SearchNode;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The operations side of the embedded platform: the worker on {@link OpsWorker#TASK_QUEUE} that
 * runs backup, restore and disaster recovery against this platform's PostgreSQL, Kafka and Lucene
 * index, and the DR environments it starts. Deploy activities answer {@code NotConfigured}: there
 * is no Kubernetes here.
 */
public final class OpsRuntime implements AutoCloseable {
    private final Resources resources = new Resources();
    private final OpsResources ops;
    private final EmbeddedEnvironments environments;
    private final String backupTarget;

    public OpsRuntime(OpsSettings settings, PlatformSettings platform, Path dataDir, WorkflowClient client,
                      DataSource metadata, String bootstrapServers, SearchNode search, ConsumerNodes nodes,
                      MeterRegistry registry, java.util.function.Supplier<String> apiKey) {
        try {
            Admin admin = resources.add(Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)));
            BackupStores stores = resources.add(new BackupStores(settings.s3()));
            environments = resources.add(new EmbeddedEnvironments(dataDir.resolve("environments"), platform, client, apiKey));
            String host = "0.0.0.0".equals(platform.host()) ? "127.0.0.1" : platform.host();
            ops = OpsResources.builder(stores, new OpsMetrics(registry), dataDir.resolve("ops-work"))
                    .metadata(metadata)
                    .kafka(admin)
                    .index(new EmbeddedIndexSnapshots(search))
                    .probe(new HttpSearchProbe(URI.create("http://" + host + ":" + search.port()), apiKey))
                    .ingestion(new EmbeddedIngestion(admin, bootstrapServers, metadata, nodes, search))
                    .environments(environments)
                    .build();
            backupTarget = settings.backupTarget();
            WorkerFactory factory = WorkerFactory.newInstance(client);
            OpsWorker.register(factory.newWorker(OpsWorker.TASK_QUEUE), DeploySettings.defaults(),
                    BackupSettings.of(backupTarget), ops);
            factory.start();
            resources.add(() -> {
                factory.shutdown();
                factory.awaitTermination(10, TimeUnit.SECONDS);
            });
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    /** What this platform's activities act on (a DR environment's are bound to its restore worker). */
    public OpsResources resources() {
        return ops;
    }

    public EmbeddedEnvironments environments() {
        return environments;
    }

    /** Where backups go when a request names no target. */
    public String backupTarget() {
        return backupTarget;
    }

    /** Stops the worker, then tears nothing down but the running DR environments (their data stays). */
    @Override
    public void close() {
        resources.close();
    }
}
