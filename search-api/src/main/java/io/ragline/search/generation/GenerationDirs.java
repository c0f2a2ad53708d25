package io.ragline.search.generation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where each index generation's files live: generation 1 in the index directory itself (so data
 * directories from before re-indexing keep working), generation N in the sibling {@code <index>-gen-N}.
 */
public record GenerationDirs(Path base) {
    private static final String INFIX = "-gen-";

    public Path of(long generation) {
        return generation <= 1 ? base : base.resolveSibling(base.getFileName() + INFIX + generation);
    }

    /** Deletes every generation's directory but those of {@code keep} (left-overs of switches and abandoned builds). */
    public void deleteAllBut(Set<Long> keep) {
        if (!keep.contains(1L)) {
            delete(base);
        }
        Path parent = base.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return;
        }
        String prefix = base.getFileName() + INFIX;
        try (Stream<Path> siblings = Files.list(parent)) {
            for (Path p : siblings.toList()) {
                String name = p.getFileName().toString();
                long generation = name.startsWith(prefix) ? parse(name.substring(prefix.length())) : -1;
                if (generation > 1 && !keep.contains(generation)) {
                    delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + parent, e);
        }
    }

    private static long parse(String n) {
        try {
            return Long.parseLong(n);
        } catch (NumberFormatException e) {
            return -1; // not ours: keep
        }
    }

    public static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
