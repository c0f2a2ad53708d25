package io.ragline.ops.backup;

/**
 * How to reach S3 or MinIO.
 *
 * @param endpoint  endpoint override, e.g. {@code http://minio:9000}; null for AWS
 * @param pathStyle true for MinIO
 * @param accessKey with {@code secretKey}: static credentials; null for the default AWS chain
 */
public record S3Settings(String endpoint, String region, boolean pathStyle, String accessKey, String secretKey) {
    public static S3Settings aws(String region) {
        return new S3Settings(null, region, false, null, null);
    }

    public static S3Settings minio(String endpoint, String accessKey, String secretKey) {
        return new S3Settings(endpoint, "us-east-1", true, accessKey, secretKey);
    }
}
