package io.ragline.devstack.deploy;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, as the Kubernetes RBAC authorizer would, whether a Role allows an API request: verb
 * (from the method, and list or watch for collections), API group, resource and subresource,
 * namespace, and resource name (for list and watch, only a {@code fieldSelector=metadata.name=...}
 * names one).
 */
final class RoleRules {
    /** One API request as RBAC sees it. */
    record Request(String verb, String group, String resource, String namespace, String name, String line) {
    }

    private final Role role;

    RoleRules(Role role) {
        this.role = role;
    }

    static Request parse(String method, String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        Map<String, String> query = new HashMap<>();
        if (q >= 0) {
            for (String pair : pathAndQuery.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        List<String> s = Arrays.stream(path.split("/")).filter(x -> !x.isEmpty()).toList();
        String line = method + " " + pathAndQuery;
        int at;
        String group;
        if (s.size() >= 2 && s.get(0).equals("api")) {
            group = "";
            at = 2;
        } else if (s.size() >= 3 && s.get(0).equals("apis")) {
            group = s.get(1);
            at = 3;
        } else {
            return new Request(method, null, null, null, null, line); // discovery or non-resource: never granted
        }
        String namespace = null;
        if (s.size() > at + 1 && s.get(at).equals("namespaces")) {
            namespace = s.get(at + 1);
            at += 2;
        }
        if (s.size() <= at) {
            return new Request(method, group, null, namespace, null, line);
        }
        String resource = s.get(at);
        String name = s.size() > at + 1 ? s.get(at + 1) : null;
        if (s.size() > at + 2) {
            resource = resource + "/" + s.get(at + 2);
        }
        String verb = switch (method) {
            case "GET" -> name != null ? "get" : "true".equals(query.get("watch")) ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name != null ? "delete" : "deletecollection";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
        String selector = query.get("fieldSelector");
        if (name == null && selector != null && selector.startsWith("metadata.name=") && !selector.contains(",")) {
            name = selector.substring("metadata.name=".length());
        }
        return new Request(verb, group, resource, namespace, name, line);
    }

    boolean allows(Request r) {
        if (r.resource() == null || !role.getMetadata().getNamespace().equals(r.namespace())) {
            return false;
        }
        for (PolicyRule rule : role.getRules()) {
            boolean names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                    || (r.name() != null && rule.getResourceNames().contains(r.name()));
            if (rule.getApiGroups().contains(r.group()) && rule.getResources().contains(r.resource())
                    && rule.getVerbs().contains(r.verb()) && names) {
                return true;
            }
        }
        return false;
    }
}
