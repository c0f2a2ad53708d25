package io.ragline.ops.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragline.ops.Failures;
import io.ragline.ops.OpsMetrics;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import javax.sql.DataSource;

/** Writes {@link DeploymentRecord}s into {@code deployments} (see V100__deployments.sql). */
public final class DeploymentRecordActivitiesImpl implements DeploymentRecordActivities {
    // the same JSON the Temporal UI shows for the request and the steps
    private final ObjectMapper mapper = JacksonJsonPayloadConverter.newDefaultObjectMapper();
    private final DataSource dataSource;
    private final OpsMetrics metrics;

    public DeploymentRecordActivitiesImpl(DataSource dataSource, OpsMetrics metrics) {
        this.dataSource = dataSource;
        this.metrics = metrics;
    }

    @Override
    public void record(DeploymentRecord r) {
        String sql = """
                INSERT INTO deployments (id, run_id, service, namespace, strategy, image, previous_image, outcome,
                                         reason, request, steps, started_at, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?)
                ON CONFLICT (id, run_id) DO UPDATE SET
                    previous_image = EXCLUDED.previous_image, outcome = EXCLUDED.outcome, reason = EXCLUDED.reason,
                    steps = EXCLUDED.steps, finished_at = EXCLUDED.finished_at, updated_at = now()
                """;
        try (Connection c = Failures.require(dataSource, "PostgreSQL").getConnection();
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, r.id());
            ps.setString(2, r.runId());
            ps.setString(3, r.service());
            ps.setString(4, r.namespace());
            ps.setString(5, r.strategy().name());
            ps.setString(6, r.image());
            ps.setString(7, r.previousImage());
            ps.setString(8, r.outcome());
            ps.setString(9, r.reason());
            ps.setString(10, mapper.writeValueAsString(r.request()));
            ps.setString(11, mapper.writeValueAsString(r.steps()));
            ps.setTimestamp(12, Timestamp.from(r.startedAt()));
            if (r.finishedAt() == null) {
                ps.setNull(13, Types.TIMESTAMP_WITH_TIMEZONE);
            } else {
                ps.setTimestamp(13, Timestamp.from(r.finishedAt()));
            }
            ps.executeUpdate();
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot record deployment " + r.id() + ": " + e.getMessage(), e);
        }
        if (r.finishedAt() != null && metrics != null) {
            // counted when the final row is written (at least once: a retried write counts again)
            metrics.deploymentFinished(r.strategy().name(), r.outcome());
        }
    }
}
