package io.ragline.search.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** {@code nextOffset} is the offset of the next page, null (written, not left out) when there is none. */
public record SearchResponse(List<SearchResult> results, int offset,
                             @JsonInclude(JsonInclude.Include.ALWAYS) Integer nextOffset, long tookMs) {
}
