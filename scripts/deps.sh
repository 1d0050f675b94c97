#!/usr/bin/env bash
# Installs what `make demo` and `make test` need and the machine lacks, and says what it
# does. Everything comes from a registry: Debian packages through apt-get, npm packages
# through `npm ci` (package-lock.json), Kafka jars through Maven (kafka/pom.xml), crates
# through cargo (Cargo.lock), the deployment files' checkers from PyPI and Debian
# (scripts/lib/lint-tools.sh). Kafka and the checkers go to the user's cache directory
# (scripts/lib/cache.sh), shared by every clone. A second run finds everything and does
# nothing.
#
# Usage: scripts/deps.sh [--no-browser | --lint]
#   --no-browser  skip chromium and the deployment files' checkers, for `make demo`
#   --lint        only npm's packages (the build embeds uPlot) and the checkers, for `make lint`
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

want_browser=1 want_lint=1 only_lint=0
[[ "${1:-}" == "--no-browser" ]] && want_browser=0 want_lint=0
[[ "${1:-}" == "--lint" ]] && only_lint=1
. scripts/lib/lint-tools.sh

SUDO=""
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null; then SUDO="sudo"; fi

# npm packages: uPlot, which the build embeds, and playwright-core for the browser tests.
install_npm_packages() {
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    say "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

if [[ $only_lint -eq 1 ]]; then
  command -v npm >/dev/null || die "npm is missing: run scripts/deps.sh without --lint once"
  install_npm_packages
  install_lint_tools
  exit 0
fi

# Debian packages, each named by a file or command that shows it is there.
missing=()
need_pkg() { # need_pkg PACKAGE TEST...
  local pkg=$1; shift
  if ! "$@" >/dev/null 2>&1; then missing+=("$pkg"); fi
}
need_pkg build-essential command -v cc
need_pkg pkg-config command -v pkg-config
need_pkg libssl-dev test -e /usr/include/openssl/ssl.h
need_pkg zlib1g-dev test -e /usr/include/zlib.h
need_pkg cmake command -v cmake
need_pkg openjdk-17-jdk-headless command -v java
need_pkg maven command -v mvn
need_pkg nodejs command -v node
need_pkg npm command -v npm
need_pkg kcat command -v kcat
need_pkg openssl command -v openssl # the test CA for the SASL_SSL listener (scripts/kafka.sh)
if [[ $want_lint -eq 1 ]]; then
  need_pkg python3-venv python3 -c 'import ensurepip, venv' # the checkers' venv (lint-tools.sh)
fi
if [[ $want_browser -eq 1 ]]; then
  need_pkg chromium test -x /usr/bin/chromium
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  [[ $(id -u) -eq 0 || -n "$SUDO" ]] || die "not root and no sudo: install ${missing[*]} by hand"
  say "installing Debian packages: ${missing[*]} (a few minutes the first time)"
  started=$SECONDS
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  say "Debian packages installed in $((SECONDS - started)) s"
fi

command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (https://rustup.rs)"

install_npm_packages
if [[ $want_lint -eq 1 ]]; then install_lint_tools; fi

# Apache Kafka and the schema registry from Maven Central; skipped when already installed.
bash scripts/kafka.sh install
bash scripts/registry.sh install
say "all present"
