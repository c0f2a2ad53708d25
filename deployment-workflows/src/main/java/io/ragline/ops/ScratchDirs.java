package io.ragline.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Stream;

/** Scratch directories for activities that stage files: created fresh, always deleted. */
public final class ScratchDirs {
    private ScratchDirs() {
    }

    public interface Task<T> {
        T run(Path dir) throws Exception;
    }

    /** Runs {@code task} in a fresh directory under {@code root} that is deleted afterwards. */
    public static <T> T inScratchDir(Path root, String prefix, Task<T> task) {
        Path dir = null;
        try {
            Files.createDirectories(Objects.requireNonNull(root, "workDir"));
            dir = Files.createTempDirectory(root, prefix);
            return task.run(dir);
        } catch (RuntimeException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    public static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // scratch space: the next run uses another directory
        }
    }
}
