package io.ragline.search.index;

import java.util.List;
import java.util.Map;

/**
 * Restrictions on which chunks a search may return. {@code tags}: every one must be present;
 * {@code sources}: any one (empty: no restriction); {@code metadata}: each key must equal its
 * value, compared as text ({@code 2026} matches {@code "2026"}); {@code fromMillis} and
 * {@code toMillis}: inclusive bounds on the document timestamp, null when open.
 */
public record SearchFilters(List<String> tags, List<String> sources, Map<String, String> metadata, Long fromMillis,
                            Long toMillis) {
    public static final SearchFilters NONE = new SearchFilters(List.of(), List.of(), Map.of(), null, null);

    public SearchFilters {
        tags = List.copyOf(tags);
        sources = List.copyOf(sources);
        metadata = Map.copyOf(metadata);
    }

    public boolean hasTimeRange() {
        return fromMillis != null || toMillis != null;
    }
}
