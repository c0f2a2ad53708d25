package io.ragline.devstack.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The smoke test of a restored DR environment: its search API is ready, and each of a few of the
 * documents its restored metadata holds as ACTIVE is found by its title through that API.
 */
final class EnvironmentSmokeTest {
    private static final int DOCUMENTS = 5;

    private final HttpSearchProbe probe;
    private final DataSource metadata;
    private final Duration readyTimeout;
    private final Map<String, List<String>> answers = new LinkedHashMap<>();

    EnvironmentSmokeTest(HttpSearchProbe probe, DataSource metadata, Duration readyTimeout) {
        this.probe = probe;
        this.metadata = metadata;
        this.readyTimeout = readyTimeout;
    }

    /** What failed; empty when the environment answers as it should. */
    List<String> run(String endpoint) {
        List<String> failures = new ArrayList<>();
        if (!awaitReady()) {
            failures.add(endpoint + "/health/ready is not UP after " + readyTimeout);
        }
        String sql = "SELECT tenant, id, coalesce(title, id) FROM documents WHERE status = 'ACTIVE' ORDER BY tenant, id LIMIT ?";
        int found = 0;
        try (Connection c = metadata.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, DOCUMENTS);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found++;
                    String tenant = rs.getString(1);
                    String id = rs.getString(2);
                    String query = rs.getString(3);
                    try {
                        List<String> ids = probe.topIds(tenant, query, 10);
                        answers.put(tenant + ": " + query, ids);
                        if (!ids.contains(id)) {
                            failures.add("searching '" + query + "' in " + tenant + " does not find " + id + ": " + ids);
                        }
                    } catch (RuntimeException e) {
                        failures.add("searching '" + query + "' failed: " + e.getMessage());
                    }
                }
            }
        } catch (SQLException e) {
            failures.add("metadata store unreadable: " + e.getMessage());
        }
        return failures;
    }

    /** Query to the document ids it found, of the last {@link #run}. */
    Map<String, List<String>> answers() {
        return answers;
    }

    private boolean awaitReady() {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        while (!probe.ready()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(250); // polling the readiness endpoint, as a load balancer would
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
