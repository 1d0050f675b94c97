#!/usr/bin/env bash
# Checks the deployment files under deploy/ (and the top-level docker-compose.yml):
#   - kubeconform -strict on the Kubernetes manifests, against the schemas of the oldest
#     and the newest Kubernetes they are meant for, offline;
#   - promtool on the Prometheus scrape config and its alerting rules;
#   - scripts/lib/check-deploy.py on what no tool here validates: the compose files,
#     nginx's WebSocket set-up, and that every TRACKSIDE_* variable set is a real one.
# The tools are installed by scripts/deps.sh (`make lint` and `make test` run it first).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
. scripts/lib/lint-tools.sh

kubeconform="$LINT_BIN/kubeconform-$KUBECONFORM_VERSION"
promtool="$LINT_BIN/promtool-$PROMETHEUS_VERSION"
for tool in "$kubeconform" "$promtool" "$K8S_SCHEMAS/v${K8S_VERSIONS[-1]}-standalone-strict"; do
  [[ -e "$tool" ]] || { echo "lint-deploy: $tool is missing: run scripts/deps.sh" >&2; exit 1; }
done

for version in "${K8S_VERSIONS[@]}"; do
  echo "kubeconform: deploy/k8s against Kubernetes $version"
  # Kustomization is kubectl's, not a Kubernetes API kind: it has no schema.
  "$kubeconform" -strict -summary -skip Kustomization -kubernetes-version "$version" \
    -schema-location "$K8S_SCHEMAS/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    deploy/k8s/
done

echo "promtool: deploy/prometheus"
"$promtool" check config deploy/prometheus/prometheus.yml
"$promtool" check rules deploy/prometheus/alerts.yml

python3 scripts/lib/check-deploy.py "$REPO"
