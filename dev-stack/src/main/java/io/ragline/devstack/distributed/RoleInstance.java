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
}
