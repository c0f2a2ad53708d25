package io.ragline.devstack.deploy;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.List;
import java.util.Optional;

/**
 * Kubernetes' RBAC decision for one Role, as the API server's authorizer makes it: a request is
 * allowed when it is in the Role's namespace and one rule matches its API group, resource (with
 * subresource), verb and, where the rule names objects, its name. A rule with resourceNames never
 * matches a request without a name (create, list, watch without a field selector).
 */
record RoleRules(String namespace, List<PolicyRule> rules) {
    static RoleRules of(Role role) {
        return new RoleRules(role.getMetadata().getNamespace(), List.copyOf(role.getRules()));
    }

    /** Why the request is denied; empty when the Role allows it. */
    Optional<String> denial(ApiRequest r) {
        if (r.resource() == null) {
            return Optional.of("non-resource URL " + r.line() + ": a Role cannot grant it");
        }
        if (!namespace.equals(r.namespace())) {
            return Optional.of(r.line() + ": outside namespace " + namespace);
        }
        boolean allowed = rules.stream().anyMatch(rule -> matches(rule, r));
        return allowed ? Optional.empty() : Optional.of(r.line() + ": no rule allows " + r.verb() + " on "
                + (r.group().isEmpty() ? "" : r.group() + "/") + r.resourcePath()
                + (r.name() == null ? "" : " " + r.name()));
    }

    boolean allows(ApiRequest r) {
        return denial(r).isEmpty();
    }

    private static boolean matches(PolicyRule rule, ApiRequest r) {
        if (!rule.getApiGroups().contains(r.group()) || !rule.getVerbs().contains(r.verb())
                || !rule.getResources().contains(r.resourcePath())) {
            return false;
        }
        List<String> names = rule.getResourceNames();
        return names == null || names.isEmpty() || (r.name() != null && names.contains(r.name()));
    }
}
