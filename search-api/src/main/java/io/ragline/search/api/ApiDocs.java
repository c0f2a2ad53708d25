package io.ragline.search.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The hand-maintained OpenAPI document and a Swagger UI page over it. The UI's assets come from
 * the swagger-ui webjar on the classpath: nothing is fetched from the internet at runtime.
 */
final class ApiDocs {
    private final String openApi = resource("openapi.json");
    private final String page = resource("docs.html").replace("{{assets}}", "/webjars/swagger-ui/" + swaggerUiVersion());

    String openApi() {
        return openApi;
    }

    String page() {
        return page;
    }

    private static String resource(String name) {
        try (InputStream in = ApiDocs.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + ApiDocs.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Webjars put the version in the asset path; read it from the jar rather than repeating it here. */
    private static String swaggerUiVersion() {
        try (InputStream in = ApiDocs.class.getResourceAsStream("/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the org.webjars:swagger-ui jar is not on the classpath");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
