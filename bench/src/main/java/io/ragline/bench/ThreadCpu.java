package io.ragline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * CPU time of each thread of this process, from {@code /proc/self/task} (Linux): Java threads and
 * the native ones ONNX Runtime starts, which the JVM's thread beans do not see. Two snapshots give
 * the CPU each thread group spent in between.
 */
final class ThreadCpu {
    /** Clock ticks per second of {@code utime}/{@code stime}: USER_HZ, 100 on every Linux ABI in use. */
    private static final double TICKS_PER_SECOND = 100.0;

    record Thread(String name, double seconds) {
    }

    private final Map<Long, Thread> threads;

    private ThreadCpu(Map<Long, Thread> threads) {
        this.threads = threads;
    }

    /** The threads now; empty where there is no {@code /proc}. */
    static ThreadCpu now() {
        Map<Long, Thread> threads = new HashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return new ThreadCpu(threads);
        }
        try (Stream<Path> list = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) list::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // "tid (comm) state ..." where comm may hold spaces and parentheses
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String[] rest = stat.substring(close + 2).split(" ");
                    // fields 14 and 15 of the whole line (utime, stime) are 12 and 13 after the comm
                    double seconds = (Long.parseLong(rest[11]) + Long.parseLong(rest[12])) / TICKS_PER_SECOND;
                    threads.put(Long.parseLong(task.getFileName().toString()),
                            new Thread(stat.substring(open + 1, close), seconds));
                } catch (IOException | RuntimeException ended) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            return new ThreadCpu(threads);
        }
        return new ThreadCpu(threads);
    }

    /** CPU seconds per thread group (names without their numbers) since {@code before}, largest first. */
    Map<String, Double> since(ThreadCpu before) {
        Map<String, Double> groups = new HashMap<>();
        threads.forEach((tid, t) -> {
            Thread earlier = before.threads.get(tid);
            double spent = t.seconds() - (earlier == null || !earlier.name().equals(t.name()) ? 0 : earlier.seconds());
            groups.merge(group(t.name()), spent, Double::sum);
        });
        Map<String, Double> sorted = new LinkedHashMap<>();
        groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    static double total(Map<String, Double> groups) {
        return groups.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    static double matching(Map<String, Double> groups, Predicate<String> group) {
        return groups.entrySet().stream().filter(e -> group.test(e.getKey())).mapToDouble(Map.Entry::getValue).sum();
    }

    /** Digits dropped: "GC Thread#3" and "GC Thread#0" are one group. */
    static String group(String name) {
        return name.replaceAll("\\d+", "");
    }
}
