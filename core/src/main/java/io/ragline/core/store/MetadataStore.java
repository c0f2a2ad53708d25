package io.ragline.core.store;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ragline.core.event.DocumentState;
import io.ragline.core.event.DocumentStatus;
import io.ragline.core.event.LifecycleEvent;
import io.ragline.core.json.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Document metadata in PostgreSQL. State changes that search must see run in one transaction
 * with the row locked, and publish the new snapshot before committing: the order of snapshots
 * on {@code ragline.document-state} is then the order of revisions, so compaction keeps the
 * newest. Every change is admitted by {@link IngestionPause} first: while a restore holds the pause,
 * writes fail with {@link IngestionPausedException} and are retried by their callers.
 */
public final class MetadataStore {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final DataSource dataSource;

    public MetadataStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records a new version as chunked and pending. Idempotent; never moves a document backwards. */
    public void recordChunked(LifecycleEvent event) {
        String sql = """
                INSERT INTO documents (tenant, id, title, source, language, version, status, pending_op, chunk_count,
                                       content_hash, metadata, revision)
                VALUES (?, ?, ?, ?, ?, ?, 'CHUNKED', 'INDEX', ?, ?, ?::jsonb, 1)
                ON CONFLICT (tenant, id) DO UPDATE SET
                    title = EXCLUDED.title, source = EXCLUDED.source, language = EXCLUDED.language,
                    version = EXCLUDED.version, status = 'CHUNKED', pending_op = 'INDEX',
                    chunk_count = EXCLUDED.chunk_count,
                    content_hash = EXCLUDED.content_hash, metadata = EXCLUDED.metadata, reason = NULL,
                    revision = documents.revision + 1, updated_at = now()
                WHERE documents.version < EXCLUDED.version
                   OR (documents.version = EXCLUDED.version AND documents.status = 'CHUNKED')
                """;
        write("recording " + event.documentKey() + " v" + event.version(), c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, event.tenant());
                ps.setString(2, event.documentId());
                ps.setString(3, event.title());
                ps.setString(4, event.source());
                ps.setString(5, event.language());
                ps.setLong(6, event.version());
                ps.setInt(7, event.chunkCount());
                ps.setString(8, event.contentHash());
                ps.setString(9, Json.writeString(event.metadata() == null ? Map.of() : event.metadata()));
                return ps.executeUpdate();
            }
        });
    }

    /** Records that a delete is under way, so that it survives a restart before it completes. */
    public void recordDeleteRequested(String tenant, String id, long version) {
        String sql = """
                INSERT INTO documents (tenant, id, version, status, pending_op, revision)
                VALUES (?, ?, ?, 'ACCEPTED', 'DELETE', 1)
                ON CONFLICT (tenant, id) DO UPDATE SET
                    version = EXCLUDED.version, status = 'ACCEPTED', pending_op = 'DELETE',
                    revision = documents.revision + 1, updated_at = now()
                WHERE documents.version < EXCLUDED.version
                """;
        write("recording delete of " + tenant + "/" + id + " v" + version, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, tenant);
                ps.setString(2, id);
                ps.setLong(3, version);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Makes {@code version} the version search serves, if it is still the document's latest, and
     * publishes the snapshot. Returns the resulting state; {@code activeVersion != version} means
     * a newer version or a delete superseded this one.
     */
    public DocumentState activate(String tenant, String id, long version, int chunkCount, StatePublisher publisher) {
        return inLockedRow(tenant, id, publisher, (c, row) -> {
            if (row == null || row.version() != version) {
                return null; // superseded by a newer version or a delete
            }
            if (row.activeVersion() == version) {
                return row; // already activated: publish the same snapshot again, harmlessly
            }
            if (!"INDEX".equals(pendingOp(c, row)) || !row.status().pending()) {
                return null;
            }
            return update(c, row, "UPDATE documents SET active_version = ?, active_chunk_count = ?, status = 'EMBEDDED', "
                    + "pending_op = NULL, reason = NULL, revision = revision + 1, updated_at = now() WHERE tenant = ? AND id = ?",
                    version, chunkCount);
        }, DocumentStatus.ACTIVE);
    }

    /** After search serves the version: the document is ACTIVE. */
    public boolean confirmActive(String tenant, String id, long version) {
        String sql = "UPDATE documents SET status = 'ACTIVE', updated_at = now() "
                + "WHERE tenant = ? AND id = ? AND version = ? AND active_version = ? AND status = 'EMBEDDED'";
        return write("confirming " + tenant + "/" + id + " v" + version, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, tenant);
                ps.setString(2, id);
                ps.setLong(3, version);
                ps.setLong(4, version);
                return ps.executeUpdate();
            }
        }) == 1;
    }

    /** Deletes the document as of {@code version}: nothing of it is searchable any more. */
    public DocumentState markDeleted(String tenant, String id, long version, StatePublisher publisher) {
        return inLockedRow(tenant, id, publisher, (c, row) -> {
            if (row == null) {
                return insertDeleted(c, tenant, id, version);
            }
            if (row.version() > version || (row.version() == version && row.status() == DocumentStatus.DELETED)) {
                return row.version() == version ? row : null; // done already, or a newer version came after
            }
            return update(c, row, "UPDATE documents SET version = ?, active_version = 0, active_chunk_count = ?, "
                    + "status = 'DELETED', pending_op = NULL, revision = revision + 1, updated_at = now() "
                    + "WHERE tenant = ? AND id = ?",
                    version, 0);
        }, DocumentStatus.DELETED);
    }

    /** The version failed; whatever version search served before stays served. */
    public DocumentState markFailed(String tenant, String id, long version, String reason, StatePublisher publisher) {
        return inLockedRow(tenant, id, publisher, (c, row) -> {
            if (row == null || row.version() != version || !row.status().pending()) {
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE documents SET status = 'FAILED', pending_op = NULL, reason = ?, revision = revision + 1, updated_at = now() "
                            + "WHERE tenant = ? AND id = ?")) {
                ps.setString(1, reason);
                ps.setString(2, tenant);
                ps.setString(3, id);
                ps.executeUpdate();
            }
            return readRow(c, tenant, id, false);
        }, DocumentStatus.FAILED);
    }

    public Optional<DocumentRecord> find(String tenant, String id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM documents WHERE tenant = ? AND id = ?")) {
            ps.setString(1, tenant);
            ps.setString(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new MetadataStoreException("reading " + tenant + "/" + id, e);
        }
    }

    public DocumentStats stats(String tenant) {
        String sql = """
                SELECT count(*) FILTER (WHERE status = 'ACTIVE'),
                       count(*) FILTER (WHERE status IN ('ACCEPTED', 'CHUNKED', 'EMBEDDED')),
                       count(*) FILTER (WHERE status = 'FAILED'),
                       count(*) FILTER (WHERE status = 'DELETED'),
                       coalesce(sum(active_chunk_count), 0)
                FROM documents WHERE tenant = ?
                """;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new DocumentStats(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
            }
        } catch (SQLException e) {
            throw new MetadataStoreException("reading stats of " + tenant, e);
        }
    }

    /** The version search serves of each document named ({@code <tenant>/<id>}); documents without one are left out. */
    public Map<String, Long> activeVersions(java.util.Collection<String> documentKeys) {
        if (documentKeys.isEmpty()) {
            return Map.of();
        }
        String sql = "SELECT tenant, id, active_version FROM documents WHERE active_version > 0 AND status <> 'DELETED' "
                + "AND (tenant, id) IN (SELECT * FROM unnest(?::text[], ?::text[]))";
        List<String> tenants = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (String key : documentKeys) {
            int slash = key.indexOf('/');
            tenants.add(key.substring(0, slash));
            ids.add(key.substring(slash + 1));
        }
        Map<String, Long> out = new java.util.HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", tenants.toArray()));
            ps.setArray(2, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
                }
            }
        } catch (SQLException e) {
            throw new MetadataStoreException("reading active versions", e);
        }
        return out;
    }

    /** Chunks of the versions search serves, over all tenants: what a complete index holds. */
    public long activeChunkTotal() {
        String sql = "SELECT coalesce(sum(active_chunk_count), 0) FROM documents WHERE active_version > 0 AND status <> 'DELETED'";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new MetadataStoreException("counting active chunks", e);
        }
    }

    /** Versions still in flight: after a restart their lifecycles are started again. */
    public List<LifecycleEvent> pendingVersions() {
        String sql = "SELECT * FROM documents WHERE status IN ('ACCEPTED', 'CHUNKED', 'EMBEDDED') ORDER BY updated_at";
        List<LifecycleEvent> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                DocumentRecord r = map(rs);
                LifecycleEvent.LifecycleOp op = "DELETE".equals(rs.getString("pending_op"))
                        ? LifecycleEvent.LifecycleOp.DELETE : LifecycleEvent.LifecycleOp.INDEX;
                out.add(new LifecycleEvent(LifecycleEvent.SCHEMA, op, r.tenant(), r.id(),
                        r.version(), r.chunkCount(), r.contentHash(), r.title(), r.source(), r.language(),
                        r.metadata(), r.updatedAt().toEpochMilli()));
            }
        } catch (SQLException e) {
            throw new MetadataStoreException("reading pending versions", e);
        }
        return out;
    }

    private interface RowChange {
        /** Changes the locked row on {@code c}; returns the changed row to publish, or null for no change. */
        DocumentRecord apply(Connection c, DocumentRecord lockedRowOrNull) throws SQLException;
    }

    private DocumentState inLockedRow(String tenant, String id, StatePublisher publisher, RowChange change,
                                      DocumentStatus publishedStatus) {
        return write("changing " + tenant + "/" + id, c -> {
            DocumentRecord row = readRow(c, tenant, id, true);
            DocumentRecord changed = change.apply(c, row);
            DocumentRecord current = changed != null ? changed : row;
            DocumentState state = current == null ? null : toState(current, changed != null ? publishedStatus : null);
            if (changed != null) {
                publisher.publish(state); // before commit: see the class comment
            }
            return state;
        });
    }

    private interface Write<T> {
        T run(Connection c) throws SQLException;
    }

    /** Every change of the metadata: one transaction, admitted by {@link IngestionPause} first. */
    private <T> T write(String what, Write<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                IngestionPause.admit(c);
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new MetadataStoreException(what, e);
        }
    }

    /** Runs an UPDATE with (version, count, tenant, id) on the locked connection and re-reads the row. */
    private static DocumentRecord update(Connection c, DocumentRecord row, String sql, long version, int count)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, version);
            ps.setInt(2, count);
            ps.setString(3, row.tenant());
            ps.setString(4, row.id());
            ps.executeUpdate();
        }
        return readRow(c, row.tenant(), row.id(), false);
    }

    private static String pendingOp(Connection c, DocumentRecord row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pending_op FROM documents WHERE tenant = ? AND id = ?")) {
            ps.setString(1, row.tenant());
            ps.setString(2, row.id());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static DocumentRecord readRow(Connection c, String tenant, String id, boolean forUpdate)
            throws SQLException {
        String sql = "SELECT * FROM documents WHERE tenant = ? AND id = ?" + (forUpdate ? " FOR UPDATE" : "");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, tenant);
            ps.setString(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? map(rs) : null;
            }
        }
    }

    private static DocumentRecord insertDeleted(Connection c, String tenant, String id, long version)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO documents (tenant, id, version, status, revision) VALUES (?, ?, ?, 'DELETED', 1)")) {
            ps.setString(1, tenant);
            ps.setString(2, id);
            ps.setLong(3, version);
            ps.executeUpdate();
        }
        return readRow(c, tenant, id, false);
    }

    private static DocumentState toState(DocumentRecord r, DocumentStatus publishedStatus) {
        DocumentStatus status = publishedStatus != null ? publishedStatus : r.status();
        return new DocumentState(DocumentState.SCHEMA, r.tenant(), r.id(), status, r.version(), r.activeVersion(),
                r.activeChunkCount(), r.revision(), r.reason(), System.currentTimeMillis());
    }

    private static DocumentRecord map(ResultSet rs) throws SQLException {
        String metadata = rs.getString("metadata");
        return new DocumentRecord(
                rs.getString("tenant"), rs.getString("id"), rs.getString("title"), rs.getString("source"),
                rs.getString("language"), rs.getLong("version"), rs.getLong("active_version"),
                DocumentStatus.valueOf(rs.getString("status")), rs.getInt("chunk_count"),
                rs.getInt("active_chunk_count"), rs.getString("content_hash"),
                parseMetadata(metadata), rs.getString("reason"),
                rs.getLong("revision"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }

    private static Map<String, Object> parseMetadata(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return Json.mapper().readValue(json, MAP);
        } catch (java.io.IOException e) {
            throw new MetadataStoreException("metadata column is not a JSON object", e);
        }
    }
}
