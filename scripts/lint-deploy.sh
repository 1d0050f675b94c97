#!/usr/bin/env bash
# Checks the deployment files under deploy/ (and the top-level docker-compose.yml), in a
# few seconds, offline:
#   - scripts/lib/check-k8s.py: the Kubernetes manifests against the API schemas of the
#     oldest and the newest Kubernetes they are meant for, strictly (kubernetes-validate);
#   - scripts/lib/check-prometheus.py: the Prometheus scrape config and its alerting rules
#     (promtool);
#   - scripts/lib/check-deploy.py: what no tool here validates: the compose files, nginx's
#     WebSocket set-up, and that every TRACKSIDE_* variable set is a real one.
# The tools are installed by scripts/deps.sh (`make lint` and `make test` run it first).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
. scripts/lib/lint-tools.sh

for tool in "$LINT_PYTHON" "$PROMTOOL"; do
  [[ -x "$tool" ]] || { echo "lint-deploy: $tool is missing: run scripts/deps.sh" >&2; exit 1; }
done

"$LINT_PYTHON" scripts/lib/check-k8s.py deploy/k8s "${K8S_VERSIONS[@]}"
"$LINT_PYTHON" scripts/lib/check-prometheus.py "$PROMTOOL" deploy/prometheus
"$LINT_PYTHON" scripts/lib/check-deploy.py "$REPO"
