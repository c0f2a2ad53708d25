package io.ragline.search.index;

import java.util.List;

/** One page of results, best first, and whether the ranking goes on after it. */
public record SearchPage(List<ChunkHit> hits, boolean more) {
    public SearchPage {
        hits = List.copyOf(hits);
    }
}
