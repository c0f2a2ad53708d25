package io.ragline.ops;

import io.ragline.ops.backup.IndexSnapshots;
import io.ragline.ops.backup.SearchProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The smallest index that honours the {@link IndexSnapshots} and {@link SearchProbe} contracts:
 * one file per document (name = id, content = text) in a directory. The real Lucene side comes
 * with the runtime; these tests are about the workflows around it.
 */
public final class DirectoryIndex implements IndexSnapshots, SearchProbe {
    private final Path dir;

    public DirectoryIndex(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    public void put(String id, String text) throws IOException {
        Files.writeString(dir.resolve(id), text);
    }

    public void delete(String id) throws IOException {
        Files.deleteIfExists(dir.resolve(id));
    }

    @Override
    public Map<String, Long> snapshot(Path into) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.copy(f, into.resolve(f.getFileName()));
            }
        }
        return counts();
    }

    @Override
    public Map<String, Long> restore(Path from) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return counts();
    }

    @Override
    public Map<String, Long> counts() {
        try (Stream<Path> files = Files.list(dir)) {
            return Map.of("documents", files.count());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Documents containing the query's words, most occurrences first, then by id. */
    @Override
    public List<String> topIds(String tenant, String query, int k) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> Map.entry(f.getFileName().toString(), score(f, query)))
                    .filter(e -> e.getValue() > 0)
                    .sorted(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
                            .thenComparing(Map.Entry::getKey))
                    .limit(k).map(Map.Entry::getKey).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long score(Path f, String query) {
        try {
            String text = Files.readString(f).toLowerCase();
            long score = 0;
            for (String word : query.toLowerCase().split("\\s+")) {
                score += text.split("\\b" + java.util.regex.Pattern.quote(word) + "\\b", -1).length - 1;
            }
            return score;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
