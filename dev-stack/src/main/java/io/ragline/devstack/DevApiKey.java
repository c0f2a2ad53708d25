package io.ragline.devstack;

import io.ragline.core.store.ApiKey;
import io.ragline.core.store.ApiKeyStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * The embedded platform's development key: tenant {@code default}, every scope. Kept in
 * {@code <data dir>/dev-api-key} (readable by its owner only) and reused while it is valid, so
 * that the CLI and scripts find it across restarts.
 */
public final class DevApiKey {
    public static final String FILE = "dev-api-key";
    public static final String TENANT = "default";

    private DevApiKey() {
    }

    public static String ensure(ApiKeyStore keys, Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.isRegularFile(file)) {
                String existing = Files.readString(file).strip();
                if (keys.verify(existing).filter(k -> !k.revoked()).isPresent()) {
                    return existing;
                }
            }
            String key = keys.create(TENANT, "development key", EnumSet.allOf(ApiKey.Scope.class), 60_000).plaintext();
            Files.writeString(file, key + "\n");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the file stays with its directory's permissions
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the development API key in " + file, e);
        }
    }

    /** The key a CLI command should send: its option, RAGLINE_API_KEY, or the embedded platform's file. */
    public static String forCli(String option, Path dataDir) {
        if (option != null && !option.isBlank()) {
            return option.strip();
        }
        String env = System.getenv("RAGLINE_API_KEY");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        Path file = dataDir.resolve(FILE);
        try {
            return Files.isRegularFile(file) ? Files.readString(file).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
