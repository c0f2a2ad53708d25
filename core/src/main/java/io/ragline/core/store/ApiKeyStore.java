package io.ragline.core.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * API keys in PostgreSQL. A key reads {@code rl_<id>_<secret>}: the id finds the row, the secret
 * (32 random bytes) is checked against its SHA-256. A slow password hash buys nothing for secrets
 * this long, and SHA-256 keeps every request cheap.
 */
public final class ApiKeyStore {
    public static final int DEFAULT_RATE_PER_MINUTE = 600;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;

    public ApiKeyStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A new key: what is stored, and the plaintext, which is shown once and never again. */
    public record Created(ApiKey key, String plaintext) {
    }

    public Created create(String tenant, String name, Set<ApiKey.Scope> scopes, int ratePerMinute) {
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one scope");
        }
        String id = random(9);
        String secret = random(32);
        String sql = "INSERT INTO api_keys (id, tenant, name, secret_sha256, scopes, rate_per_minute) VALUES (?, ?, ?, ?, ?, ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            ps.setString(2, tenant);
            ps.setString(3, name);
            ps.setString(4, sha256(secret));
            ps.setArray(5, c.createArrayOf("text", scopes.stream().map(Enum::name).sorted().toArray()));
            ps.setInt(6, ratePerMinute);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new MetadataStoreException("creating an API key for " + tenant, e);
        }
        return new Created(find(id).orElseThrow(), "rl_" + id + "_" + secret);
    }

    /** The key a plaintext names, if it exists and its secret matches (revoked keys included). */
    public Optional<ApiKey> verify(String plaintext) {
        if (plaintext == null || !plaintext.startsWith("rl_")) {
            return Optional.empty();
        }
        int split = plaintext.indexOf('_', 3);
        if (split < 0) {
            return Optional.empty();
        }
        String id = plaintext.substring(3, split);
        String secret = plaintext.substring(split + 1);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM api_keys WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                byte[] expected = rs.getString("secret_sha256").getBytes(StandardCharsets.US_ASCII);
                byte[] actual = sha256(secret).getBytes(StandardCharsets.US_ASCII);
                return MessageDigest.isEqual(expected, actual) ? Optional.of(map(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new MetadataStoreException("verifying an API key", e);
        }
    }

    public Optional<ApiKey> find(String id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM api_keys WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new MetadataStoreException("reading API key " + id, e);
        }
    }

    /** Keys of one tenant, or of all tenants when {@code tenant} is null. */
    public List<ApiKey> list(String tenant) {
        String sql = "SELECT * FROM api_keys" + (tenant == null ? "" : " WHERE tenant = ?") + " ORDER BY created_at";
        List<ApiKey> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (tenant != null) {
                ps.setString(1, tenant);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(map(rs));
                }
            }
        } catch (SQLException e) {
            throw new MetadataStoreException("listing API keys", e);
        }
        return out;
    }

    /** Revokes a key; returns whether it existed and was active. */
    public boolean revoke(String id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE api_keys SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL")) {
            ps.setString(1, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new MetadataStoreException("revoking API key " + id, e);
        }
    }

    private static ApiKey map(ResultSet rs) throws SQLException {
        Set<ApiKey.Scope> scopes = EnumSet.noneOf(ApiKey.Scope.class);
        Array array = rs.getArray("scopes");
        for (Object s : (Object[]) array.getArray()) {
            scopes.add(ApiKey.Scope.valueOf((String) s));
        }
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new ApiKey(rs.getString("id"), rs.getString("tenant"), rs.getString("name"), Set.copyOf(scopes),
                rs.getInt("rate_per_minute"), rs.getTimestamp("created_at").toInstant(),
                revoked == null ? null : revoked.toInstant());
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        // base64url without '_' so that the id/secret separator stays unambiguous
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b).replace('_', 'x');
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
