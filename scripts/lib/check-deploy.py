"""Checks the deployment files that no tool here can validate (no Docker engine, no
nginx new enough for `resolve`): the compose files' structure, nginx's WebSocket set-up,
and that every TRACKSIDE_* variable the files set is one `trackside` reads, since a
misspelt one is ignored without a word.

Usage: python3 check-deploy.py REPO     prints one line per problem; exits 1 if any.
"""

import os
import re
import sys

import yaml

SERVICE_KEYS = {
    "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose",
    "volumes", "depends_on", "restart", "init", "deploy", "healthcheck", "hostname",
    "networks", "labels", "secrets", "configs", "user", "working_dir", "stop_grace_period",
}
TOP_KEYS = {"services", "networks", "volumes", "configs", "secrets", "include", "name"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


def known_variables(repo):
    """Every TRACKSIDE_* variable the command line reads (`env = "..."` in src/config/)."""
    names = set()
    for root, _, files in os.walk(os.path.join(repo, "src", "config")):
        for f in files:
            with open(os.path.join(root, f)) as src:
                names |= set(re.findall(r'env = "(TRACKSIDE_[A-Z0-9_]+)"', src.read()))
    return names


def check_variables(where, env, known, problems):
    for name in env:
        if name.startswith("TRACKSIDE_") and name not in known and name != "TRACKSIDE_GIT_COMMIT":
            problems.append(f"{where}: {name} is not a variable trackside reads (src/config/)")


def as_env(env):
    """A service's environment as a dict, from either form compose allows."""
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env or {}


def check_compose(path, known, problems):
    """Checks a compose file and those it includes; returns all their services."""
    base = os.path.dirname(path)
    with open(path) as f:
        doc = yaml.safe_load(f)
    for key in doc:
        if key not in TOP_KEYS and not key.startswith("x-"):
            problems.append(f"{path}: unknown top-level key {key!r}")
    services = doc.get("services", {})
    every = dict(services)
    for included in doc.get("include", []):
        target = os.path.join(base, included if isinstance(included, str) else included["path"])
        if not os.path.isfile(target):
            problems.append(f"{path}: includes {target}, which does not exist")
        else:
            every.update(check_compose(target, known, problems))
    for name, service in services.items():
        where = f"{path}: service {name}"
        for key in service:
            if key not in SERVICE_KEYS:
                problems.append(f"{where}: unknown key {key!r}")
        if "image" not in service and "build" not in service:
            problems.append(f"{where}: neither image nor build")
        build = service.get("build")
        if build is not None:
            context = os.path.join(base, build if isinstance(build, str) else build.get("context", "."))
            if not os.path.isfile(os.path.join(context, "Dockerfile")):
                problems.append(f"{where}: no Dockerfile in its build context {context}")
        depends = service.get("depends_on", {})
        for dep in depends:
            if dep not in services:
                problems.append(f"{where}: depends on {dep!r}, which is not a service")
            elif isinstance(depends, dict) and depends[dep].get("condition", "service_started") not in CONDITIONS:
                problems.append(f"{where}: unknown condition for {dep!r}")
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith("."):
                if not os.path.exists(os.path.join(base, source)):
                    problems.append(f"{where}: mounts {source}, which does not exist")
                elif source.endswith("nginx.conf"):
                    check_nginx(os.path.join(base, source), services, problems)
        check_variables(where, as_env(service.get("environment")), known, problems)
    return every


def check_nginx(path, services, problems):
    """The proxy reaches a real service on the port it listens on, and upgrades /ws."""
    with open(path) as f:
        conf = f.read()
    for host, port in re.findall(r"^\s*server\s+([\w.-]+):(\d+)", conf, re.M):
        listen = as_env(services.get(host, {}).get("environment")).get("TRACKSIDE_LISTEN", "")
        if host not in services:
            problems.append(f"{path}: upstream {host} is not a compose service")
        elif not listen.endswith(f":{port}") or not listen.startswith("0.0.0.0"):
            problems.append(f"{path}: upstream {host}:{port}, but it listens on {listen or 'loopback (the default)'}")
    ws = re.search(r"location\s*=?\s*/ws\s*\{(.*?)\}", conf, re.S)
    needed = ["proxy_http_version 1.1", "proxy_set_header Upgrade $http_upgrade",
              "proxy_set_header Connection $connection_upgrade", "proxy_set_header Host $http_host"]
    for line in needed:
        if not ws or line not in ws.group(1):
            problems.append(f"{path}: the /ws location lacks `{line}` (WebSocket upgrade and origin check)")


def check_k8s(directory, known, problems):
    for f in sorted(os.listdir(directory)):
        if not f.endswith(".yaml"):
            continue
        with open(os.path.join(directory, f)) as src:
            for doc in yaml.safe_load_all(src):
                if doc and doc.get("kind") == "ConfigMap":
                    check_variables(f"{directory}/{f}", doc.get("data", {}), known, problems)
                for container in (doc or {}).get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
                    env = {e["name"]: e.get("value") for e in container.get("env", [])}
                    check_variables(f"{directory}/{f}", env, known, problems)


def main(repo):
    known = known_variables(repo)
    if not known:
        sys.exit("check-deploy: found no TRACKSIDE_* variables in src/config/")
    problems = []
    services = check_compose(os.path.join(repo, "docker-compose.yml"), known, problems)
    replicas = services.get("server", {}).get("deploy", {}).get("replicas", 1)
    if replicas < 2:
        problems.append(f"deploy/compose: the server runs {replicas} replica(s), not two or more")
    check_k8s(os.path.join(repo, "deploy", "k8s"), known, problems)
    for p in problems:
        print(f"check-deploy: {p}")
    if problems:
        sys.exit(1)
    print(f"check-deploy: compose files, nginx and variables fine ({len(services)} services)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
