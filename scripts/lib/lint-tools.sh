# Sourced by scripts/deps.sh (which installs these) and scripts/lint-deploy.sh (which runs
# them): the checkers of the deployment files, their pinned versions and where they live.
# They are kept in the user's cache directory (scripts/lib/cache.sh), shared by every
# clone; a second install finds them and does nothing. Nothing here needs Go.

. "$REPO/scripts/lib/cache.sh"
LINT_DIR="$TRACKSIDE_CACHE/lint"

# A Python venv with kubernetes-validate (the Kubernetes schemas and their validator) and
# PyYAML, from PyPI, every package pinned in lint-requirements.txt. The marker holds the
# requirements' checksum, so editing them installs the venv again.
LINT_REQUIREMENTS="$REPO/scripts/lib/lint-requirements.txt"
LINT_VENV="$LINT_DIR/venv"
LINT_PYTHON="$LINT_VENV/bin/python"
# The oldest and the newest Kubernetes the manifests are meant for.
K8S_VERSIONS=(1.31.0 1.37.0)

# promtool, from Debian 12's prometheus package. Only promtool is unpacked from the
# downloaded package: installing it would also install, enable and start a Prometheus
# server. Pinned to Prometheus 2.42.0, taking whichever Debian revision (security fixes)
# the archive serves.
PROMETHEUS_VERSION=2.42.0
PROMTOOL="$LINT_DIR/promtool-$PROMETHEUS_VERSION/promtool"

lint_venv_installed() {
  [[ -x "$LINT_PYTHON" && -f "$LINT_VENV/.installed" ]] &&
    [[ "$(cat "$LINT_VENV/.installed")" == "$(sha256sum "$LINT_REQUIREMENTS" | cut -d' ' -f1)" ]] &&
    "$LINT_PYTHON" -c '' 2>/dev/null # the Python it was made from may have gone
}

install_lint_venv() {
  lint_venv_installed && return 0
  say "installing kubernetes-validate and PyYAML from PyPI into $LINT_VENV"
  local started=$SECONDS
  rm -rf "$LINT_VENV"
  python3 -m venv "$LINT_VENV"
  "$LINT_PYTHON" -m pip install --quiet --disable-pip-version-check --no-input -r "$LINT_REQUIREMENTS"
  sha256sum "$LINT_REQUIREMENTS" | cut -d' ' -f1 >"$LINT_VENV/.installed"
  say "Python packages installed in $((SECONDS - started)) s"
}

# The newest Debian revision of prometheus $PROMETHEUS_VERSION that apt knows of, if any.
offered_prometheus() {
  apt-cache madison prometheus 2>/dev/null |
    awk -F' *[|] *' -v want="$PROMETHEUS_VERSION+" 'index($2, want) == 1 { print $2; exit }'
}

install_promtool() {
  [[ -x "$PROMTOOL" ]] && return 0
  command -v apt-get >/dev/null || die "promtool comes from Debian's prometheus package, and there is no apt-get here"
  local version
  version=$(offered_prometheus)
  if [[ -z "$version" ]]; then
    say "asking Debian for its package lists (apt-get update)"
    $SUDO apt-get update -qq
    version=$(offered_prometheus)
  fi
  [[ -n "$version" ]] ||
    die "Debian offers no prometheus $PROMETHEUS_VERSION (Debian 12's): update PROMETHEUS_VERSION in scripts/lib/lint-tools.sh"
  say "installing promtool from Debian's prometheus $version (the package is unpacked, not installed: no server)"
  local scratch
  scratch=$(mktemp -d)
  # apt-get download fetches into the current directory, as an ordinary user too.
  if ! (cd "$scratch" && apt-get download -qq "prometheus=$version") >"$scratch/apt.log" 2>&1; then
    cat "$scratch/apt.log" >&2
    rm -rf "$scratch"
    die "apt-get could not download prometheus=$version"
  fi
  dpkg-deb --fsys-tarfile "$scratch"/prometheus_*.deb | tar -x -C "$scratch" ./usr/bin/promtool
  mkdir -p "$(dirname "$PROMTOOL")"
  mv "$scratch/usr/bin/promtool" "$PROMTOOL"
  rm -rf "$scratch"
}

# Installs what is missing; says what it does. Serialised: clones share the cache.
install_lint_tools() {
  mkdir -p "$LINT_DIR"
  (
    flock 9
    install_lint_venv
    install_promtool
  ) 9>"$LINT_DIR/.lock"
}
