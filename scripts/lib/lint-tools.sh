# Sourced by scripts/deps.sh (which installs these) and scripts/lint-deploy.sh (which runs
# them): the tools that check the deployment files, their pinned versions, and where they
# live. Everything under .cache/lint (git-ignored); a second install finds it and does nothing.

LINT_DIR="$REPO/.cache/lint"
LINT_BIN="$LINT_DIR/bin"
# kubeconform, from the Go module proxy.
KUBECONFORM_VERSION=v0.8.0
# The Kubernetes schemas kubeconform checks against: kubeconform's own source of them
# cannot be reached from here, so they come from the PyPI package kubernetes-validate,
# whose wheel ships them (scripts/lib/k8s-schemas.py rewrites them for kubeconform).
K8S_VALIDATE_VERSION=1.37.0
# The oldest and the newest Kubernetes the manifests are meant for.
K8S_VERSIONS=(1.31.0 1.37.0)
K8S_SCHEMAS="$LINT_DIR/k8s-schemas-$K8S_VALIDATE_VERSION"
# promtool, from the Go module proxy (Prometheus's Go module v0.316.0 is Prometheus 3.x).
PROMETHEUS_VERSION=v0.316.0

# Installs what is missing; says what it does.
install_lint_tools() {
  mkdir -p "$LINT_BIN"
  command -v go >/dev/null || die "go is missing: the deployment files' checkers are built with it (https://go.dev/doc/install)"
  if [[ ! -x "$LINT_BIN/kubeconform-$KUBECONFORM_VERSION" ]]; then
    say "installing kubeconform $KUBECONFORM_VERSION (go install)"
    GOBIN="$LINT_BIN" go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
    mv "$LINT_BIN/kubeconform" "$LINT_BIN/kubeconform-$KUBECONFORM_VERSION"
  fi
  if [[ ! -d "$K8S_SCHEMAS/v${K8S_VERSIONS[-1]}-standalone-strict" ]]; then
    say "installing the Kubernetes schemas (kubernetes-validate $K8S_VALIDATE_VERSION from PyPI)"
    local wheel_dir
    wheel_dir=$(mktemp -d)
    python3 -m pip download --quiet --no-deps -d "$wheel_dir" "kubernetes-validate==$K8S_VALIDATE_VERSION"
    python3 scripts/lib/k8s-schemas.py "$wheel_dir"/kubernetes_validate-*.whl "$K8S_SCHEMAS" "${K8S_VERSIONS[@]}"
    rm -rf "$wheel_dir"
  fi
  if [[ ! -x "$LINT_BIN/promtool-$PROMETHEUS_VERSION" ]]; then
    say "installing promtool $PROMETHEUS_VERSION (go install; several minutes the first time)"
    local started=$SECONDS
    GOBIN="$LINT_BIN" go install "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_VERSION"
    mv "$LINT_BIN/promtool" "$LINT_BIN/promtool-$PROMETHEUS_VERSION"
    say "promtool built in $((SECONDS - started)) s"
  fi
  python3 -c 'import yaml' 2>/dev/null || {
    say "installing PyYAML (pip)"
    python3 -m pip install --quiet pyyaml
  }
}
