package io.ragline.devstack.distributed;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * S3Proxy as ragline runs it for an S3-compatible store: its own JVM ({@code target/engines/s3proxy.jar}),
 * blobs on the filesystem under {@code dir}, one identity, AWS signatures v2 or v4. The distributed
 * platform supervises the process; tests start it the same way.
 */
public record S3ProxyServer(Path dir, String host, int port, String identity, String credential) {

    public URI endpoint() {
        return URI.create("http://" + host + ":" + port);
    }

    /** Writes {@code dir/s3proxy.conf} and returns the command that serves it; the caller starts (or supervises) it. */
    public ProcessBuilder prepare(Path jar) throws IOException {
        Files.createDirectories(dir.resolve("blobs"));
        Path conf = dir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
                "s3proxy.endpoint=" + endpoint(),
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + identity,
                "s3proxy.credential=" + credential,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dir.resolve("blobs"), ""));
        return new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString(), "--properties", conf.toString()));
    }
}
