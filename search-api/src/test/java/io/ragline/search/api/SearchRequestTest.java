package io.ragline.search.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ragline.core.json.Json;
import io.ragline.search.index.Granularity;
import io.ragline.search.index.SearchFilters;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class SearchRequestTest {
    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("{\"query\":\"q\",\"filters\":{\"color\":\"red\"}}", "unknown-filter", "'filters.color'"),
                Arguments.of("{\"query\":\"q\",\"filters\":{\"timestamp\":{\"after\":\"2026-01-01T00:00:00Z\"}}}", "unknown-filter",
                        "'filters.timestamp.after'"),
                Arguments.of("{\"query\":\"q\",\"filters\":[\"birds\"]}", "wrong-type", "'filters'"),
                Arguments.of("{\"query\":\"q\",\"filters\":{\"tags\":\"birds\"}}", "wrong-type", "'filters.tags'"),
                Arguments.of("{\"query\":\"q\",\"filters\":{\"tags\":[\"birds\",7]}}", "wrong-type", "'filters.tags[1]'"),
                Arguments.of("{\"query\":\"q\",\"filters\":{\"source\":3}}", "wrong-type", "'filters.source'"),
                Arguments.of("{\"query\":\"q\",\"filters\":{\"source\":[\"a\",null]}}", "wrong-type", "'filters.source[1]'"),
                Arguments.of("{\"query\":\"q\",\"filters\":{\"source\":[]}}", "out-of-range", "'filters.source'"),
                Arguments.of("{\"query\":\"q\",\"filters\":{\"metadata\":[1]}}", "wrong-type", "'filters.metadata'"),
                Arguments.of("{\"query\":\"q\",\"filters\":{\"metadata\":{\"team\":{\"a\":1}}}}", "wrong-type", "'filters.metadata.team'"),
                Arguments.of("{\"query\":\"q\",\"filters\":{\"metadata\":{\"team\":null}}}", "wrong-type", "'filters.metadata.team'"),
                Arguments.of("{\"query\":\"q\",\"filters\":{\"timestamp\":\"2026\"}}", "wrong-type", "'filters.timestamp'"),
                Arguments.of("{\"query\":\"q\",\"filters\":{\"timestamp\":{\"gte\":1714564800000}}}", "wrong-type", "'filters.timestamp.gte'"),
                Arguments.of("{\"query\":\"q\",\"filters\":{\"timestamp\":{\"lt\":\"yesterday\"}}}", "invalid-timestamp", "'filters.timestamp.lt'"),
                Arguments.of("{\"query\":\"q\",\"offset\":\"10\"}", "wrong-type", "'offset'"),
                Arguments.of("{\"query\":\"q\",\"offset\":1.5}", "wrong-type", "'offset'"),
                Arguments.of("{\"query\":\"q\",\"offset\":-1}", "out-of-range", "'offset'"),
                Arguments.of("{\"query\":\"q\",\"topK\":100,\"offset\":901}", "out-of-range", "'offset'"),
                Arguments.of("{\"query\":\"q\",\"granularity\":1}", "wrong-type", "'granularity'"),
                Arguments.of("{\"query\":\"q\",\"granularity\":\"paragraph\"}", "unknown-granularity", "'granularity'"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("refusals")
    void eachBadFieldIsAProblemNamingIt(String body, String type, String field) throws Exception {
        ProblemException problem = catchThrowableOfType(ProblemException.class,
                () -> SearchRequest.from(Json.mapper().readTree(body)));
        assertThat(problem).as(body).isNotNull();
        assertThat(problem.type()).isEqualTo(type);
        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.getMessage()).contains(field);
    }

    @Test
    void aFullRequestParses() throws Exception {
        SearchRequest request = SearchRequest.from(Json.mapper().readTree("""
                {"query":"herons","topK":20,"offset":980,"granularity":"chunk","filters":{
                  "tags":["birds","wetland"],"source":"field-notes","metadata":{"team":"ornithology","year":2025,"public":true},
                  "timestamp":{"gte":"2025-01-01T00:00:00Z","lt":"2026-01-01T00:00:00.0005Z"}}}"""));
        assertThat(request.offset()).isEqualTo(980);
        assertThat(request.granularity()).isEqualTo(Granularity.CHUNK);
        SearchFilters filters = request.filters();
        assertThat(filters.tags()).containsExactly("birds", "wetland");
        assertThat(filters.sources()).containsExactly("field-notes");
        assertThat(filters.metadata()).containsExactlyInAnyOrderEntriesOf(
                Map.of("team", "ornithology", "year", "2025", "public", "true"));
        assertThat(filters.fromMillis()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z").toEpochMilli());
        // lt a time inside a millisecond still includes that millisecond's start
        assertThat(filters.toMillis()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    }

    @Test
    void exclusiveBoundsMoveByOneMillisecondAndDefaultsAreTheFirstDocumentPage() throws Exception {
        SearchRequest request = SearchRequest.from(Json.mapper().readTree("""
                {"query":"q","filters":{"source":["a","b"],"timestamp":{"gt":"2025-01-01T00:00:00Z","lt":"2025-02-01T00:00:00Z"}}}"""));
        assertThat(request.filters().sources()).containsExactly("a", "b");
        assertThat(request.filters().fromMillis()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z").toEpochMilli() + 1);
        assertThat(request.filters().toMillis()).isEqualTo(Instant.parse("2025-02-01T00:00:00Z").toEpochMilli() - 1);
        assertThat(request.offset()).isZero();
        assertThat(request.granularity()).isEqualTo(Granularity.DOCUMENT);
        assertThat(SearchRequest.from(Json.mapper().readTree("{\"query\":\"q\"}")).filters()).isEqualTo(SearchFilters.NONE);
        assertThat(request.topK()).isEqualTo(10);
    }
}
