package io.ragline.devstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ragline.core.json.Json;
import io.ragline.core.store.ApiKey;
import io.ragline.core.store.ApiKeyStore;
import io.ragline.core.store.Database;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"Manage API keys: each is bound to one tenant and scopes (search, ingest, admin).",
                "Through the API with an admin key (default), or straight in the database with --jdbc-url "
                        + "(how the first admin key of a distributed deployment is made)."},
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Where the keys are: the API (with an admin key) or the database. */
    static final class Target {
        @Option(names = "--url", defaultValue = "${env:RAGLINE_URL:-http://127.0.0.1:8080}", description = "Search API base URL.")
        URI url;

        @picocli.CommandLine.Mixin
        ApiKeyOptions keyOptions;

        @Option(names = "--jdbc-url", defaultValue = "${env:RAGLINE_JDBC_URL}",
                description = "Work in the database instead (RAGLINE_JDBC_URL; user and password from RAGLINE_JDBC_USER/PASSWORD).")
        String jdbcUrl;

        JsonNode call(String method, String path, String body) throws Exception {
            String key = keyOptions.require();
            HttpRequest.Builder request = HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> response;
            try (HttpClient http = HttpClient.newHttpClient()) {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException e) {
                throw new IllegalArgumentException("no search API at " + url + " (is `./ragline up` running?)");
            }
            JsonNode answer = response.body().isBlank() ? Json.mapper().createObjectNode() : Json.mapper().readTree(response.body());
            if (response.statusCode() >= 400) {
                throw new IllegalArgumentException(response.statusCode() + " " + answer.path("title").asText() + ": "
                        + answer.path("detail").asText());
            }
            return answer;
        }

        <T> T database(java.util.function.Function<ApiKeyStore, T> work) {
            try (var ds = Database.open(jdbcUrl, env("RAGLINE_JDBC_USER", "ragline"), env("RAGLINE_JDBC_PASSWORD", ""), 1)) {
                return work.apply(new ApiKeyStore(ds));
            }
        }

        private static String env(String name, String fallback) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? fallback : v;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key; its secret is printed once.")
    static final class Create implements Callable<Integer> {
        @Mixin
        Target target;

        @Option(names = "--tenant", required = true, description = "Tenant the key acts for.")
        String tenant;

        @Option(names = "--scopes", split = ",", defaultValue = "search", description = "search, ingest, admin (default: ${DEFAULT-VALUE}).")
        List<ApiKey.Scope> scopes;

        @Option(names = "--name", defaultValue = "cli", description = "A label (default: ${DEFAULT-VALUE}).")
        String name;

        @Option(names = "--rate", defaultValue = "600", description = "Requests per minute (default: ${DEFAULT-VALUE}).")
        int rate;

        @Override
        public Integer call() throws Exception {
            if (target.jdbcUrl != null && !target.jdbcUrl.isBlank()) {
                ApiKeyStore.Created created = target.database(k -> k.create(tenant, name, EnumSet.copyOf(scopes), rate));
                System.out.println(created.plaintext());
                System.err.printf("created key %s for tenant %s with scopes %s%n", created.key().id(), tenant, scopes);
                return 0;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("tenant", tenant);
            body.put("name", name);
            body.put("scopes", scopes.stream().map(Enum::name).toList());
            body.put("ratePerMinute", rate);
            JsonNode created = target.call("POST", "/v1/keys", Json.writeString(body));
            System.out.println(created.path("key").asText());
            System.err.printf("created key %s for tenant %s with scopes %s%n", created.path("id").asText(), tenant, scopes);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (never their secrets).")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        Target target;

        @Option(names = "--tenant", description = "Only this tenant's keys.")
        String tenant;

        @Override
        public Integer call() throws Exception {
            List<Map<String, Object>> rows = new java.util.ArrayList<>();
            if (target.jdbcUrl != null && !target.jdbcUrl.isBlank()) {
                for (ApiKey k : target.database(store -> store.list(tenant))) {
                    rows.add(Map.of("id", k.id(), "tenant", k.tenant(), "name", k.name(), "scopes", k.scopes().toString(),
                            "revoked", k.revoked()));
                }
            } else {
                for (JsonNode k : target.call("GET", "/v1/keys" + (tenant == null ? "" : "?tenant=" + tenant), null).path("keys")) {
                    rows.add(Map.of("id", k.path("id").asText(), "tenant", k.path("tenant").asText(), "name", k.path("name").asText(),
                            "scopes", k.path("scopes").toString(), "revoked", k.hasNonNull("revokedAt")));
                }
            }
            System.out.printf("%-14s %-20s %-16s %-26s %s%n", "ID", "TENANT", "NAME", "SCOPES", "REVOKED");
            for (Map<String, Object> r : rows) {
                System.out.printf("%-14s %-20s %-16s %-26s %s%n", r.get("id"), r.get("tenant"), r.get("name"), r.get("scopes"), r.get("revoked"));
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key by its id; it stops working within seconds.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(paramLabel = "ID", description = "The key's id (the part between rl_ and the second _).")
        String id;

        @Override
        public Integer call() throws Exception {
            if (target.jdbcUrl != null && !target.jdbcUrl.isBlank()) {
                if (!target.database(store -> store.revoke(id))) {
                    System.err.println("error: no active key " + id);
                    return 1;
                }
            } else {
                target.call("DELETE", "/v1/keys/" + id, null);
            }
            System.out.println("revoked " + id);
            return 0;
        }
    }
}
