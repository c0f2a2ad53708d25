package io.ragline.ops.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A logical dump of the metadata database that needs no {@code pg_dump}: every table of the
 * current schema as CSV through {@code COPY ... TO STDOUT}, all in one repeatable-read snapshot,
 * and a restore that truncates and reloads them in one transaction.
 */
public final class MetadataDump {
    /**
     * Flyway's own history, the deployment audit trail that a restore must not rewind, and the
     * ingestion pause that the restore itself holds.
     */
    public static final Set<String> NOT_DUMPED = Set.of("flyway_schema_history", "deployments", "ingestion_pause");

    private final DataSource dataSource;

    public MetadataDump(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public record Table(String name, List<String> columns, long rows) {
    }

    /** {@code metadata/schema.json}: what the CSVs hold and the schema they belong to. */
    public record Schema(String schemaVersion, List<Table> tables) {
    }

    /** Writes {@code <table>.csv} per table into {@code dir}. */
    public Schema dump(Path dir, Runnable heartbeat) throws SQLException, IOException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                String version = schemaVersion(c);
                List<Table> tables = new ArrayList<>();
                for (Map.Entry<String, List<String>> t : tables(c).entrySet()) {
                    Path file = dir.resolve(t.getKey() + ".csv");
                    try (OutputStream out = Files.newOutputStream(file)) {
                        long rows = copy.copyOut("COPY (SELECT " + columnList(t.getValue()) + " FROM "
                                + quote(t.getKey()) + ") TO STDOUT WITH (FORMAT csv, HEADER true)", out);
                        tables.add(new Table(t.getKey(), t.getValue(), rows));
                    }
                    heartbeat.run();
                }
                c.commit();
                return new Schema(version, tables);
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Replaces the content of every table in {@code schema} with its CSV in {@code dir}, in one
     * transaction: a failure leaves the database as it was. Returns the row counts loaded.
     */
    public Map<String, Long> restore(Path dir, Schema schema) throws SQLException, IOException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String current = schemaVersion(c);
                if (schema.schemaVersion() != null && !schema.schemaVersion().equals(current)) {
                    throw new IllegalStateException("backup has metadata schema version " + schema.schemaVersion()
                            + " but the database is at " + current + "; restore into a database at the same version");
                }
                Map<String, List<String>> live = tables(c);
                for (Table t : schema.tables()) {
                    if (!live.containsKey(t.name())) {
                        throw new IllegalStateException("table " + t.name() + " of the backup does not exist");
                    }
                }
                if (!schema.tables().isEmpty()) {
                    try (Statement s = c.createStatement()) {
                        s.execute("TRUNCATE " + schema.tables().stream().map(t -> quote(t.name()))
                                .collect(Collectors.joining(", ")));
                    }
                }
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                Map<String, Long> loaded = new LinkedHashMap<>();
                for (Table t : schema.tables()) {
                    try (InputStream in = Files.newInputStream(dir.resolve(t.name() + ".csv"))) {
                        loaded.put(t.name(), copy.copyIn("COPY " + quote(t.name()) + " (" + columnList(t.columns())
                                + ") FROM STDIN WITH (FORMAT csv, HEADER true)", in));
                    }
                }
                c.commit();
                return loaded;
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Row counts of the given tables now. */
    public Map<String, Long> counts(List<String> tables) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String t : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + quote(t))) {
                    rs.next();
                    counts.put(t, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    /** Table name to its insertable columns, in order. */
    private static Map<String, List<String>> tables(Connection c) throws SQLException {
        String sql = """
                SELECT c.table_name, c.column_name
                FROM information_schema.columns c
                JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER'
                ORDER BY c.table_name, c.ordinal_position
                """;
        Map<String, List<String>> tables = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String table = rs.getString(1);
                if (!NOT_DUMPED.contains(table)) {
                    tables.computeIfAbsent(table, k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        return tables;
    }

    private static String schemaVersion(Connection c) throws SQLException {
        String sql = """
                SELECT version FROM flyway_schema_history
                WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1
                """;
        try (Statement s = c.createStatement()) {
            try (ResultSet exists = s.executeQuery("SELECT to_regclass('flyway_schema_history') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return null;
                }
            }
            try (ResultSet rs = s.executeQuery(sql)) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String columnList(List<String> columns) {
        return columns.stream().map(MetadataDump::quote).collect(Collectors.joining(", "));
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
