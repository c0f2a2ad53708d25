package io.ragline.devstack;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ragline.core.model.OnnxEmbedder;
import io.ragline.embed.EmbedderNode;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** An embedding worker in its own JVM, so that a test can kill it for real ({@code kill -9}). */
public final class WorkerProcess {
    private WorkerProcess() {
    }

    /** Arguments: bootstrap servers, instance id, model cache directory. */
    public static void main(String[] args) throws Exception {
        OnnxEmbedder embedder = OnnxEmbedder.bundled(Path.of(args[2]), 1);
        new EmbedderNode(args[0], embedder, args[1], 4, new SimpleMeterRegistry());
        System.out.println("worker " + args[1] + " started");
        new CountDownLatch(1).await(); // until killed
    }
}
