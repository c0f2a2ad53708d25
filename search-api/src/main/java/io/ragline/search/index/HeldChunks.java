package io.ragline.search.index;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Which chunks (by seq) a replica holds of each version it does not serve yet, so that it switches
 * a document to a version only once it holds all of them (DESIGN.md invariant 3, per replica). A
 * version is tracked from the first time this replica touches it; what an earlier process wrote is
 * read once from the index ({@code load}), which for a version not touched since the index was
 * opened is what the index holds. Forgotten when the version is activated or deleted. Not thread-safe:
 * the index calls it under its own lock.
 */
final class HeldChunks {
    private final Map<String, BitSet> held = new HashMap<>();
    private final Function<String, BitSet> load;

    /** @param load the seqs the index holds of a doc version ({@link ChunkFields#docVersion}) */
    HeldChunks(Function<String, BitSet> load) {
        this.load = load;
    }

    void add(String docVersion, int seq) {
        seqs(docVersion).set(seq);
    }

    void remove(String docVersion, int seq) {
        seqs(docVersion).clear(seq);
    }

    /** Whether every one of {@code count} chunks is held; a count of 0 or less is not checked (unknown). */
    boolean complete(String docVersion, int count) {
        return count <= 0 || seqs(docVersion).cardinality() >= count;
    }

    /** Stops tracking the doc's versions up to {@code version}: activated, superseded or deleted. */
    void forget(String docKey, long version) {
        String prefix = docKey + "#";
        held.keySet().removeIf(k -> k.startsWith(prefix) && versionOf(k, prefix) <= version);
    }

    /** After the index went back to a commit or was replaced: everything is read from it again. */
    void clear() {
        held.clear();
    }

    void takeFrom(HeldChunks other) {
        held.clear();
        held.putAll(other.held);
    }

    private BitSet seqs(String docVersion) {
        return held.computeIfAbsent(docVersion, k -> (BitSet) load.apply(k).clone());
    }

    private static long versionOf(String docVersion, String prefix) {
        try {
            return Long.parseLong(docVersion.substring(prefix.length()));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // a document id that itself holds '#': not this doc's version
        }
    }
}
