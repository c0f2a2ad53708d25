package io.ragline.devstack.deploy;

import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Locale;

/**
 * One HTTP request to the API server as RBAC authorises it: verb, API group, resource,
 * subresource, namespace and name. {@code resource} is null for a non-resource URL (discovery,
 * /version), which a Role can never grant.
 */
record ApiRequest(String verb, String group, String resource, String subresource, String namespace, String name,
                  String line) {

    static ApiRequest of(RecordedRequest r) {
        return parse(r.getMethod(), r.getPath());
    }

    static ApiRequest parse(String method, String pathAndQuery) {
        String line = method + " " + pathAndQuery;
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
        List<String> parts = List.of(path.replaceAll("^/+", "").split("/"));
        String group;
        List<String> rest;
        if (parts.size() >= 3 && parts.get(0).equals("api")) {
            group = "";
            rest = parts.subList(2, parts.size());
        } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            rest = parts.subList(3, parts.size());
        } else {
            return new ApiRequest(method.toLowerCase(Locale.ROOT), null, null, null, null, null, line);
        }
        String namespace = null;
        if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
            namespace = rest.get(1);
            rest = rest.subList(2, rest.size());
        } else if (rest.size() >= 1 && rest.get(0).equals("namespaces")) {
            // the namespace object itself (cluster-scoped)
            return new ApiRequest(verb(method, rest.size() > 1, query), group, "namespaces", null, null,
                    rest.size() > 1 ? rest.get(1) : null, line);
        }
        String resource = rest.get(0);
        String name = rest.size() > 1 ? rest.get(1) : null;
        String sub = rest.size() > 2 ? rest.get(2) : null;
        String verb = verb(method, name != null, query);
        if (name == null && (verb.equals("list") || verb.equals("watch"))) {
            // the API server authorises a list or watch with fieldSelector=metadata.name=X as a request
            // for X, so a rule's resourceNames can grant it
            name = selectedName(query);
        }
        return new ApiRequest(verb, group, resource, sub, namespace, name, line);
    }

    private static String selectedName(String query) {
        for (String pair : query.split("&")) {
            if (pair.startsWith("fieldSelector=")) {
                String selector = java.net.URLDecoder.decode(pair.substring("fieldSelector=".length()),
                        java.nio.charset.StandardCharsets.UTF_8);
                if (selector.startsWith("metadata.name=") && !selector.contains(",")) {
                    return selector.substring("metadata.name=".length());
                }
            }
        }
        return null;
    }

    private static String verb(String method, boolean named, String query) {
        return switch (method.toUpperCase(Locale.ROOT)) {
            case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> method.toLowerCase(Locale.ROOT);
        };
    }

    /** {@code resource} or {@code resource/subresource}, as a Role's rule names it. */
    String resourcePath() {
        return subresource == null ? resource : resource + "/" + subresource;
    }
}
