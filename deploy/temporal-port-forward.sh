#!/usr/bin/env bash
# Makes an environment's Temporal frontend reachable on this machine for `ragline ops deploy` (CI's deploy jobs):
# kubectl port-forward to service temporal-frontend in namespace temporal (k8s/base/config/configmap.yaml), in
# the background for the rest of the job, and returns once the port answers.
# Environment: KUBECONFIG_DATA (the kubeconfig's content; else KUBECONFIG or ~/.kube/config is used),
# RAGLINE_TEMPORAL_TARGET (host:port to listen on, default 127.0.0.1:7233), TEMPORAL_K8S_NAMESPACE (default
# temporal), TEMPORAL_SERVICE (default temporal-frontend).
set -euo pipefail

target="${RAGLINE_TEMPORAL_TARGET:-127.0.0.1:7233}"
port="${target##*:}"
namespace="${TEMPORAL_K8S_NAMESPACE:-temporal}"
service="${TEMPORAL_SERVICE:-temporal-frontend}"
work="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"

if [[ -n "${KUBECONFIG_DATA:-}" ]]; then
  export KUBECONFIG="$work/kubeconfig"
  (umask 077 && printf '%s\n' "$KUBECONFIG_DATA" > "$KUBECONFIG")
fi
command -v kubectl >/dev/null || { echo "kubectl is not installed" >&2; exit 1; }

log="$work/temporal-port-forward.log"
nohup kubectl -n "$namespace" port-forward "svc/$service" "$port:7233" > "$log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Temporal ($namespace/$service) on 127.0.0.1:$port (kubectl port-forward, pid $pid)"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
echo "kubectl port-forward to $namespace/$service did not come up:" >&2
cat "$log" >&2
exit 1
