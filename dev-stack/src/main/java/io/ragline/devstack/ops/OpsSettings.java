package io.ragline.devstack.ops;

import io.ragline.core.config.Env;
import io.ragline.ops.backup.S3Settings;
import java.nio.file.Path;
import java.util.Map;

/**
 * How the embedded platform's operations worker is configured.
 *
 * @param backupTarget where {@code BackupWorkflow} writes when its input names no target
 * @param s3           how to reach S3 or MinIO; null: the default AWS chain when an s3:// target is used
 */
public record OpsSettings(String backupTarget, S3Settings s3) {

    /** {@link Env#RAGLINE_BACKUP_TARGET} and the {@code RAGLINE_S3_*} variables; backups default to {@code <data>/backups}. */
    public static OpsSettings fromEnv(Map<String, String> env, Path dataDir) {
        String target = Env.RAGLINE_BACKUP_TARGET.lookup(env)
                .orElse(dataDir.toAbsolutePath().normalize().resolve("backups").toUri().toString());
        S3Settings s3 = new S3Settings(Env.RAGLINE_S3_ENDPOINT.lookup(env).orElse(null),
                Env.RAGLINE_S3_REGION.get(env),
                Boolean.parseBoolean(Env.RAGLINE_S3_PATH_STYLE.get(env).strip()),
                Env.RAGLINE_S3_ACCESS_KEY.lookup(env).orElse(null),
                Env.RAGLINE_S3_SECRET_KEY.lookup(env).orElse(null));
        return new OpsSettings(target, s3);
    }
}
