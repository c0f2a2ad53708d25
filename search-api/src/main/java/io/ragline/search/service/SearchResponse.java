package io.ragline.search.service;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code nextOffset} is the offset of the next page, null (written, not left out) when there is none.
 * The time spent embedding the query and searching the store is not part of the body: the API
 * sends it as a {@code Server-Timing} header.
 */
public record SearchResponse(List<SearchResult> results, int offset,
                             @JsonInclude(JsonInclude.Include.ALWAYS) Integer nextOffset, long tookMs,
                             @JsonIgnore long embedNanos, @JsonIgnore long retrieveNanos) {

    /** {@code Server-Timing} header value: {@code embed;dur=3.10, retrieve;dur=4.20} (milliseconds). */
    public String serverTiming() {
        return String.format(java.util.Locale.ROOT, "embed;dur=%.2f, retrieve;dur=%.2f", embedNanos / 1e6, retrieveNanos / 1e6);
    }
}
