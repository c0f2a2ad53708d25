package io.ragline.ingest.reindex;

import io.ragline.core.generation.GenerationProbe;
import io.ragline.core.generation.GenerationStatus;
import io.ragline.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Asks a search replica, over its internal endpoint, for its index generations (workflows running as their own service). */
public final class HttpGenerationProbe implements GenerationProbe {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI uri;

    public HttpGenerationProbe(URI searchApi) {
        this.uri = searchApi.resolve("/internal/v1/generations");
    }

    @Override
    public GenerationStatus generations() {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("generation probe " + uri + " answered " + response.statusCode());
            }
            return Json.read(response.body(), GenerationStatus.class);
        } catch (IOException e) {
            throw new UncheckedIOException("generation probe " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted probing " + uri, e);
        }
    }
}
