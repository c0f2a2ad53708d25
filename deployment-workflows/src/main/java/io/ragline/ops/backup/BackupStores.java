package io.ragline.ops.backup;

import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Opens the {@link BackupStore} a target names: {@code file:///path} or {@code s3://bucket/prefix}. */
public final class BackupStores implements AutoCloseable {
    private final S3Settings s3Settings;
    private S3Client s3;

    /** {@code s3Settings} may be null when only {@code file://} targets are used. */
    public BackupStores(S3Settings s3Settings) {
        this.s3Settings = s3Settings;
    }

    public BackupStore open(String target) {
        URI uri = URI.create(target);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        return switch (scheme) {
            case "file" -> new FileBackupStore(Path.of(uri));
            case "s3" -> {
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("s3 target needs a bucket: s3://bucket/prefix, was " + target);
                }
                yield new S3BackupStore(s3(), uri.getHost(), uri.getPath());
            }
            default -> throw new IllegalArgumentException(
                    "target must be file:///path or s3://bucket/prefix, was " + target);
        };
    }

    private synchronized S3Client s3() {
        if (s3 == null) {
            s3 = client(s3Settings == null ? S3Settings.aws("us-east-1") : s3Settings);
        }
        return s3;
    }

    /** An S3 client as backups use it, for {@code settings}; the caller closes it. */
    public static S3Client client(S3Settings settings) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle());
        if (settings.endpoint() != null && !settings.endpoint().isBlank()) {
            builder.endpointOverride(URI.create(settings.endpoint()))
                    // S3-compatible servers (S3Proxy, SeaweedFS, older MinIO) refuse the SDK's default
                    // aws-chunked uploads with trailing checksums ("x-amz-content-sha256 does not match"):
                    // checksums only where the API requires them, payloads signed whole
                    .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                    .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                            .chunkedEncodingEnabled(false).build());
        }
        builder.credentialsProvider(settings.accessKey() == null
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(),
                        settings.secretKey())));
        return builder.build();
    }

    @Override
    public synchronized void close() {
        if (s3 != null) {
            s3.close();
            s3 = null;
        }
    }
}
