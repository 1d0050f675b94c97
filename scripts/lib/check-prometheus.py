"""Checks the Prometheus scrape config and its alerting rules with promtool.

The promtool is Debian's (scripts/lib/lint-tools.sh), and Debian builds Prometheus without
its Kubernetes service discovery: that promtool rejects `kubernetes_sd_configs` as an
unknown field. So promtool checks a copy of the config in which those blocks are
commented out, line for line (its messages keep the original line numbers), and this
script checks the blocks themselves against the fields Prometheus documents for them.

Usage: python check-prometheus.py PROMTOOL DIR   (DIR holds prometheus.yml; run in the lint venv)
Exits 1 if anything is wrong.
"""

import os
import shutil
import subprocess
import sys
import tempfile

import yaml

# https://prometheus.io/docs/prometheus/latest/configuration/configuration/#kubernetes_sd_config
K8S_SD_KEYS = {
    "role", "api_server", "kubeconfig_file", "namespaces", "selectors", "attach_metadata",
    # The HTTP client settings every service discovery shares.
    "basic_auth", "authorization", "oauth2", "bearer_token", "bearer_token_file",
    "tls_config", "proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header",
    "follow_redirects", "enable_http2",
}
K8S_ROLES = {"node", "service", "pod", "endpoints", "endpointslice", "ingress"}
K8S_NAMESPACE_KEYS = {"own_namespace", "names"}
K8S_SELECTOR_KEYS = {"role", "label", "field"}


def check_kubernetes_sd(job, sd, problems):
    where = f"job {job}: kubernetes_sd_configs"
    for key in sd:
        if key not in K8S_SD_KEYS:
            problems.append(f"{where}: unknown field {key!r}")
    if sd.get("role") not in K8S_ROLES:
        problems.append(f"{where}: role {sd.get('role')!r} is not one of {sorted(K8S_ROLES)}")
    namespaces = sd.get("namespaces") or {}
    for key in namespaces:
        if key not in K8S_NAMESPACE_KEYS:
            problems.append(f"{where}: namespaces: unknown field {key!r}")
    if not isinstance(namespaces.get("names", []), list):
        problems.append(f"{where}: namespaces.names is not a list")
    for selector in sd.get("selectors") or []:
        for key in selector:
            if key not in K8S_SELECTOR_KEYS:
                problems.append(f"{where}: selectors: unknown field {key!r}")
        if selector.get("role") not in K8S_ROLES:
            problems.append(f"{where}: selectors: role {selector.get('role')!r} is not a role")


def without_kubernetes_sd(text):
    """The config's text with every `kubernetes_sd_configs:` block commented out."""
    out, block_indent = [], None
    for line in text.splitlines(keepends=True):
        indent = len(line) - len(line.lstrip())
        if block_indent is not None and (not line.strip() or indent > block_indent):
            out.append("#" + line)
            continue
        block_indent = None
        if line.lstrip().startswith("kubernetes_sd_configs:"):
            block_indent = indent
            out.append("#" + line)
        else:
            out.append(line)
    return "".join(out)


def promtool(tool, copy, directory):
    """`promtool check config` on the copy, which checks the rule files it names too;
    its messages name the original files."""
    run = subprocess.run([tool, "check", "config", os.path.join(copy, "prometheus.yml")],
                         capture_output=True, text=True)
    output = (run.stdout + run.stderr).replace(copy, directory)
    print("\n".join(f"promtool: {line}" for line in output.splitlines() if line.strip()))
    return run.returncode == 0


def main(tool, directory):
    config = os.path.join(directory, "prometheus.yml")
    with open(config) as f:
        text = f.read()
    problems = []
    blocks = [(job.get("job_name"), sd)
              for job in (yaml.safe_load(text) or {}).get("scrape_configs") or []
              for sd in job.get("kubernetes_sd_configs") or []]
    for job, sd in blocks:
        check_kubernetes_sd(job, sd, problems)
    for p in problems:
        print(f"check-prometheus: {config}: {p}")
    if blocks and not problems:
        print(f"check-prometheus: {config}: {len(blocks)} Kubernetes discovery block(s) fine (promtool checks the rest)")

    ok = not problems
    with tempfile.TemporaryDirectory() as scratch:
        # The copy sits beside copies of the rule files, which the config names relatively.
        copy = os.path.join(scratch, "prometheus")
        shutil.copytree(directory, copy)
        with open(os.path.join(copy, "prometheus.yml"), "w") as f:
            f.write(without_kubernetes_sd(text))
        ok &= promtool(tool, copy, directory)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
