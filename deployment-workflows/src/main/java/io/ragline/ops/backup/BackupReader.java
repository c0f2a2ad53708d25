package io.ragline.ops.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragline.ops.Failures;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads complete backups back, checking every file against the manifest's SHA-256. */
public final class BackupReader {
    private final ObjectMapper mapper = JacksonJsonPayloadConverter.newDefaultObjectMapper();

    /** The newest backup that has a manifest. */
    public Optional<String> latest(BackupStore store) throws IOException {
        List<String> ids = store.backupIds();
        for (int i = ids.size() - 1; i >= 0; i--) {
            if (store.exists(ids.get(i) + "/" + BackupManifest.FILE)) {
                return Optional.of(ids.get(i));
            }
        }
        return Optional.empty();
    }

    /** {@code latest} or an id; fails permanently when there is no such complete backup. */
    public String resolve(BackupStore store, String backupId) throws IOException {
        if (backupId == null || backupId.isBlank() || "latest".equals(backupId)) {
            return latest(store).orElseThrow(() -> Failures.permanent("NoBackup", "the target holds no complete backup"));
        }
        if (!BackupIds.valid(backupId)) {
            throw Failures.permanent("InvalidInput", "not a backup id: " + backupId);
        }
        return backupId;
    }

    public BackupManifest manifest(BackupStore store, String backupId, Path workDir) throws IOException {
        Path file = workDir.resolve(BackupManifest.FILE);
        try {
            store.get(backupId + "/" + BackupManifest.FILE, file);
        } catch (NoSuchFileException e) {
            throw Failures.permanent("NoBackup", "backup " + backupId + " has no manifest (missing or incomplete)");
        }
        BackupManifest manifest = mapper.readValue(file.toFile(), BackupManifest.class);
        if (!BackupManifest.FORMAT.equals(manifest.format())) {
            throw Failures.permanent("UnknownFormat", "backup " + backupId + " has format " + manifest.format());
        }
        return manifest;
    }

    /** Downloads {@code artifact} into {@code dir} and checks its checksum; fails permanently on a mismatch. */
    public Path fetch(BackupStore store, String backupId, Artifact artifact, Path dir) throws IOException {
        Path file = dir.resolve(artifact.name().replace('/', '_'));
        try {
            store.get(backupId + "/" + artifact.name(), file);
        } catch (NoSuchFileException e) {
            throw Failures.permanent("ChecksumMismatch", "backup " + backupId + " misses " + artifact.name());
        }
        String sha = Checksums.sha256(file);
        if (!sha.equals(artifact.sha256()) || Files.size(file) != artifact.bytes()) {
            throw Failures.permanent("ChecksumMismatch", "backup " + backupId + ": " + artifact.name()
                    + " has SHA-256 " + sha + ", the manifest says " + artifact.sha256());
        }
        return file;
    }

    public <T> T read(Path file, Class<T> type) throws IOException {
        return mapper.readValue(file.toFile(), type);
    }
}
