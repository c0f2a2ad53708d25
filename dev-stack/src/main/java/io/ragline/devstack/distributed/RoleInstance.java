package io.ragline.devstack.distributed;

/**
 * One role process as {@code <data>/distributed/roles.json} lists it for operators and tests.
 *
 * @param name     e.g. {@code search-2}
 * @param role     ingest, embedder, search or workflows
 * @param service  the Kubernetes Service (and Prometheus job) it plays, e.g. {@code ragline-search}
 * @param restarts how often the supervisor started it again
 */
public record RoleInstance(String name, String role, String service, long pid, int port, String log, int restarts) {
    /**
     * The {@code pod} label Prometheus gives its metrics: search is a StatefulSet on Kubernetes, so
     * replica {@code search-2} is pod {@code ragline-search-1} there and here, and a gate's selector
     * computed from the StatefulSet selects the same replica; the other roles keep their process name.
     */
    public String pod() {
        if (!role.equals("search")) {
            return name;
        }
        int ordinal = Integer.parseInt(name.substring(name.lastIndexOf('-') + 1)) - 1;
        return service + "-" + ordinal;
    }
}
