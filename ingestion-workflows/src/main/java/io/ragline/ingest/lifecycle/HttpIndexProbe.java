package io.ragline.ingest.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.json.Json;
import io.ragline.core.store.IndexProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Asks a search replica, over its internal endpoint, how far its index is: how lifecycle
 * workers running as their own service see the index.
 */
public final class HttpIndexProbe implements IndexProbe {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    public HttpIndexProbe(URI searchApi) {
        this.base = searchApi;
    }

    @Override
    public long indexedChunks(String tenant, String documentId, long version) {
        return fetch(tenant, documentId, version).path("indexedChunks").asLong();
    }

    @Override
    public long appliedRevision(String tenant, String documentId) {
        return fetch(tenant, documentId, 0).path("appliedRevision").asLong();
    }

    private JsonNode fetch(String tenant, String documentId, long version) {
        URI uri = base.resolve("/internal/v1/index/" + encode(tenant) + "/" + encode(documentId) + "?version=" + version);
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("index probe " + uri + " answered " + response.statusCode());
            }
            return Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("index probe " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted probing " + uri, e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
