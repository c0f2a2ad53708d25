package io.ragline.devstack.serve;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.ragline.core.config.Env;
import io.ragline.core.runtime.Resources;
import io.ragline.devstack.ops.FleetIngestionPause;
import io.ragline.devstack.ops.LocalStandby;
import io.ragline.devstack.ops.OpsSettings;
import io.ragline.ingest.lifecycle.LifecycleNode;
import io.ragline.ops.OpsMetrics;
import io.ragline.ops.OpsResources;
import io.ragline.ops.OpsWorker;
import io.ragline.ops.backup.BackupScope;
import io.ragline.ops.backup.BackupSettings;
import io.ragline.ops.backup.BackupStores;
import io.ragline.ops.deploy.DeploySettings;
import io.ragline.ops.dr.KubernetesDrEnvironment;
import io.ragline.ops.dr.KubernetesDrSettings;
import io.ragline.ops.restore.IndexRebuild;
import io.ragline.search.StoreSelection;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The operations worker of {@code ragline serve workflows}: polls {@link OpsWorker#TASK_QUEUE}, so
 * deploy, backup, restore and DR workflows started from the Temporal UI run. It acts on what a
 * workflows pod reaches: PostgreSQL, Kafka, the backup target ({@code RAGLINE_BACKUP_TARGET},
 * {@code RAGLINE_S3_*}), Prometheus for gates, and the Kubernetes API ({@link KubernetesClients}: a
 * pod's service account, or KUBECONFIG). The search replicas' indexes are theirs, not this process's: a
 * {@code {}} backup holds metadata and Kafka offsets, and a restore pauses every metadata writer of the
 * fleet ({@link FleetIngestionPause}), restores the metadata, republishes the document states and has
 * every replica rebuild its index from the logs ({@link IndexRebuild}, DESIGN.md invariant 4). DR
 * answers {@code NotConfigured} unless {@code RAGLINE_DR_NAMESPACE} names the dr overlay's namespace
 * (on Kubernetes) or {@code RAGLINE_DR_JDBC_URL} a standby's database ({@link LocalStandby}, as
 * {@code ./ragline up --distributed} and compose run it). With
 * {@code RAGLINE_OPS_ENVIRONMENT} it is a DR environment's worker: only that environment's restores.
 */
public final class OpsService implements AutoCloseable {

    private final Resources resources = new Resources();
    private final WorkerFactory factory;

    public OpsService(Map<String, String> env, Path dataDir, WorkflowClient client, DataSource metadata,
                      MeterRegistry registry, boolean sticky) {
        try {
            OpsSettings settings = OpsSettings.fromEnv(env, dataDir);
            Admin admin = resources.add(Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    Env.RAGLINE_KAFKA_BOOTSTRAP.get(env))));
            BackupStores stores = resources.add(new BackupStores(settings.s3()));
            OpsMetrics metrics = new OpsMetrics(registry);
            String bootstrap = Env.RAGLINE_KAFKA_BOOTSTRAP.get(env);
            OpsResources.Builder ops = OpsResources.builder(stores, metrics, dataDir.resolve("ops-work"))
                    .metadata(metadata)
                    .kafka(admin)
                    .ingestion(new FleetIngestionPause(metadata, bootstrap, "ops worker " + client.getOptions().getIdentity()));
            Optional<String> standbyDatabase = Env.RAGLINE_DR_JDBC_URL.lookup(env);
            if (standbyDatabase.isPresent() && Env.RAGLINE_DR_NAMESPACE.lookup(env).isPresent()) {
                throw new IllegalArgumentException("RAGLINE_DR_JDBC_URL (a standby on this machine) and RAGLINE_DR_NAMESPACE "
                        + "(the dr overlay on Kubernetes) both name DR target \"dr\": set one of them");
            }
            Optional<KubernetesClient> cluster = KubernetesClients.fromEnvironment(env, KubernetesClients.SERVICE_ACCOUNT_TOKEN);
            if (cluster.isPresent()) {
                KubernetesClient kubernetes = cluster.get();
                resources.add(kubernetes::close);
                ops.kubernetes(kubernetes);
                // the dr overlay's warm standby as DR target "dr", and its Ingress as the FAILOVER switch
                Env.RAGLINE_DR_NAMESPACE.lookup(env).map(KubernetesDrSettings::of).ifPresent(dr -> {
                    KubernetesDrEnvironment standby = new KubernetesDrEnvironment(kubernetes, dr);
                    ops.environments(standby).traffic(standby);
                });
            }
            Optional<String> environment = Env.RAGLINE_OPS_ENVIRONMENT.lookup(env);
            if (standbyDatabase.isPresent() && environment.isEmpty()) {
                ops.environments(resources.add(localStandby(env, dataDir, standbyDatabase.get(), client, stores, metrics, admin)));
            }
            factory = WorkerFactory.newInstance(client);
            if (environment.isPresent()) {
                // a DR environment's workers restore into it, and never take the primary's operations
                OpsWorker.registerRestoreTarget(factory.newWorker(OpsWorker.environmentTaskQueue(environment.get())),
                        ops.build());
            } else {
                // the replicas' indexes are theirs: after a restore they rebuild from the logs (the
                // re-index worker of this role's LifecycleNode runs it); a DR environment's replica
                // follows its own mirrored logs instead, and its re-index queue would be the primary's
                ops.rebuild(IndexRebuild.REINDEX_FROM_LOG);
                OpsWorker.register(factory.newWorker(OpsWorker.TASK_QUEUE,
                                LifecycleNode.stickiness(WorkerOptions.newBuilder(), sticky).build()), DeploySettings.defaults(),
                        BackupSettings.of(settings.backupTarget(), List.of(BackupScope.METADATA, BackupScope.KAFKA_OFFSETS)),
                        ops.build());
                // before the worker polls: a bad RAGLINE_BACKUP_SCHEDULE leaves no worker behind
                resources.add(new ScheduledBackups(env, settings.backupTarget(), client, stores, metrics,
                        dataDir.resolve("ops-work")));
            }
            factory.start();
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    /**
     * DR target "dr" off Kubernetes: a standby with its own database, whose search node reads this
     * platform's logs with the search replicas' model, store and fusion ({@link LocalStandby}).
     */
    private static LocalStandby localStandby(Map<String, String> env, Path dataDir, String jdbcUrl, WorkflowClient client,
                                             BackupStores stores, OpsMetrics metrics, Admin admin) {
        String bootstrap = Env.RAGLINE_KAFKA_BOOTSTRAP.get(env);
        return new LocalStandby("dr",
                new LocalStandby.StandbyDatabase(jdbcUrl, Env.RAGLINE_JDBC_USER.get(env), Env.RAGLINE_JDBC_PASSWORD.get(env)),
                new LocalStandby.StandbySearch(bootstrap, Env.RAGLINE_HOST.get(env), () -> Models.load(env, dataDir),
                        // an index of its own, even where the primary's chunks live in a shared Milvus
                        dir -> new StoreSelection.Lucene(dir, ServiceRoles.vectorFormat(env)), ServiceRoles.fusion(env)),
                dataDir.resolve("environments").resolve("dr"), client,
                standby -> OpsResources.builder(stores, metrics, dataDir.resolve("ops-work"))
                        .metadata(standby)
                        .kafka(admin)
                        .ingestion(FleetIngestionPause.withoutRepublishing(standby, "dr standby restore worker"))
                        .build());
    }

    /** The worker polls its task queue. */
    public boolean running() {
        return factory.isStarted() && !factory.isShutdown() && !factory.isTerminated();
    }

    @Override
    public void close() {
        factory.shutdown();
        try {
            factory.awaitTermination(10, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            // shutting down anyway
        }
        resources.close();
    }
}
