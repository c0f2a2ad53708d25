package io.ragline.ops;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ragline.ops.backup.BackupStores;
import io.ragline.ops.backup.IndexSnapshots;
import io.ragline.ops.backup.SearchProbe;
import io.ragline.ops.deploy.PrometheusClient;
import io.ragline.ops.dr.Environments;
import io.ragline.ops.dr.TrafficSwitch;
import io.ragline.ops.restore.IndexRebuild;
import io.ragline.ops.restore.IngestionControl;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;

/**
 * What the activities of this module act on. Anything may be null where a runtime lacks it (the
 * embedded platform has no Kubernetes): activities that need it then fail at once, without retries,
 * with type {@code NotConfigured}. The runtime owns and closes every resource.
 *
 * @param stores      opens backup targets (file:// and s3://); required
 * @param metadata    the metadata database (deployment records, metadata backup and restore)
 * @param kafka       Admin client (offsets and topic configs)
 * @param kubernetes  fabric8 client (deploy, Kubernetes config backup)
 * @param index       the index's snapshot side
 * @param probe       search for probe queries at backup and restore
 * @param ingestion   pause and resume around a restore
 * @param environments start, smoke-test and tear down DR environments
 * @param traffic     DR failover switch
 * @param prometheus  analysis gates
 * @param metrics     required
 * @param workDir     scratch space for dumps and downloads; required
 * @param rebuild     how the search replicas rebuild from the logs after a restore, where the index
 *                    is theirs rather than this runtime's ({@code index} null)
 */
public record OpsResources(BackupStores stores, DataSource metadata, Admin kafka, KubernetesClient kubernetes,
                           IndexSnapshots index, SearchProbe probe, IngestionControl ingestion,
                           Environments environments, TrafficSwitch traffic, PrometheusClient prometheus,
                           OpsMetrics metrics, Path workDir, IndexRebuild rebuild) {

    public static Builder builder(BackupStores stores, OpsMetrics metrics, Path workDir) {
        return new Builder(stores, metrics, workDir);
    }

    /** Names the optional resources, which a positional constructor of twelve would not. */
    public static final class Builder {
        private final BackupStores stores;
        private final OpsMetrics metrics;
        private final Path workDir;
        private DataSource metadata;
        private Admin kafka;
        private KubernetesClient kubernetes;
        private IndexSnapshots index;
        private SearchProbe probe;
        private IngestionControl ingestion;
        private Environments environments;
        private TrafficSwitch traffic;
        private PrometheusClient prometheus;
        private IndexRebuild rebuild;

        private Builder(BackupStores stores, OpsMetrics metrics, Path workDir) {
            this.stores = stores;
            this.metrics = metrics;
            this.workDir = workDir;
        }

        public Builder metadata(DataSource v) {
            metadata = v;
            return this;
        }

        public Builder kafka(Admin v) {
            kafka = v;
            return this;
        }

        public Builder kubernetes(KubernetesClient v) {
            kubernetes = v;
            return this;
        }

        public Builder index(IndexSnapshots v) {
            index = v;
            return this;
        }

        public Builder probe(SearchProbe v) {
            probe = v;
            return this;
        }

        public Builder ingestion(IngestionControl v) {
            ingestion = v;
            return this;
        }

        public Builder environments(Environments v) {
            environments = v;
            return this;
        }

        public Builder traffic(TrafficSwitch v) {
            traffic = v;
            return this;
        }

        public Builder prometheus(PrometheusClient v) {
            prometheus = v;
            return this;
        }

        public Builder rebuild(IndexRebuild v) {
            rebuild = v;
            return this;
        }

        public OpsResources build() {
            return new OpsResources(stores, metadata, kafka, kubernetes, index, probe, ingestion, environments,
                    traffic, prometheus, metrics, workDir, rebuild);
        }
    }
}
