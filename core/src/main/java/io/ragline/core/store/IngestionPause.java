package io.ragline.core.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A fleet-wide stop for document metadata writes, kept in PostgreSQL so that it holds for every
 * process that writes (any number of workflows replicas) without a registry of them.
 *
 * <p>Every write of {@link MetadataStore} first takes {@code ROW EXCLUSIVE} on {@code documents} and
 * then reads the flag, in its own transaction ({@link #admit}). {@link #pause} sets the flag and takes
 * {@code EXCLUSIVE} on {@code documents} in one transaction, which waits for every write in flight to
 * end. So once {@code pause} returns, each write either committed before it or sees the flag and is
 * refused ({@link IngestionPausedException}, retried later): nothing changes the metadata, or
 * publishes a document state (that happens inside the write's transaction), until {@link #resume}.
 */
public final class IngestionPause {
    private final DataSource dataSource;

    public IngestionPause(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Sets the flag and returns once no write that could have missed it is still running. Idempotent. */
    public void pause(String owner, String reason) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE ingestion_pause SET paused = true, owner = ?, reason = ?, since = coalesce(since, now()) WHERE id = 1");
                 Statement lock = c.createStatement()) {
                ps.setString(1, owner);
                ps.setString(2, reason);
                ps.executeUpdate();
                lock.execute("LOCK TABLE documents IN EXCLUSIVE MODE");
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new MetadataStoreException("pausing ingestion", e);
        }
    }

    public void resume() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE ingestion_pause SET paused = false, owner = NULL, reason = NULL, since = NULL WHERE id = 1");
        } catch (SQLException e) {
            throw new MetadataStoreException("resuming ingestion", e);
        }
    }

    /** Why ingestion is paused, or empty when it is not. */
    public Optional<String> pausedBecause() {
        try (Connection c = dataSource.getConnection()) {
            return pausedBecause(c);
        } catch (SQLException e) {
            throw new MetadataStoreException("reading the ingestion pause", e);
        }
    }

    /**
     * Run first in a write's transaction ({@code c} not in auto-commit): holds off a {@link #pause}
     * until the transaction ends, and refuses the write if a pause came first.
     */
    static void admit(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE documents IN ROW EXCLUSIVE MODE");
        }
        Optional<String> why = pausedBecause(c);
        if (why.isPresent()) {
            throw new IngestionPausedException(why.get());
        }
    }

    private static Optional<String> pausedBecause(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT paused, owner, reason FROM ingestion_pause WHERE id = 1")) {
            if (rs.next() && rs.getBoolean(1)) {
                return Optional.of(rs.getString(3) + " (" + rs.getString(2) + ")");
            }
            return Optional.empty();
        }
    }
}
