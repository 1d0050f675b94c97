"""Validates the Kubernetes manifests against the API schemas of given Kubernetes versions,
offline, with kubernetes-validate (PyPI; its wheel ships the schemas). Strict: a field the
API does not have is an error, as is a kind or apiVersion that version does not serve.

Usage: python check-k8s.py DIR VERSION...   (VERSION like 1.31.0; run in the lint venv)
Prints one line per document; exits 1 if any is wrong.
"""

import os
import sys

import kubernetes_validate
import yaml
from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

# kubectl's own kind (`kubectl apply -k`), not a Kubernetes API kind: there is no schema.
NO_SCHEMA = {"Kustomization"}


def check(path, doc, version):
    """None if the document is valid for that Kubernetes version, else what is wrong."""
    try:
        used = kubernetes_validate.validate(doc, version, strict=True)
    except SchemaNotFoundError as e:
        return e.message
    except ValidationError as e:
        where = ".".join(str(p) for p in e.absolute_path) or "(top level)"
        return f"{where}: {e.message}"
    # The package falls back to an older version's schemas when it lacks the one asked for.
    wanted = ".".join(version.split(".")[:2])
    if used != wanted:
        return f"validated against Kubernetes {used}, not {wanted}: pin a kubernetes-validate that has it"
    return None


def main(directory, versions):
    problems = 0
    for name in sorted(os.listdir(directory)):
        if not name.endswith((".yaml", ".yml")):
            continue
        path = os.path.join(directory, name)
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        for doc in docs:
            kind = doc.get("kind", "?")
            if kind in NO_SCHEMA:
                continue
            what = f"{path}: {kind} {doc.get('metadata', {}).get('name', '?')}"
            for version in versions:
                problem = check(path, doc, version)
                if problem:
                    problems += 1
                    print(f"check-k8s: {what}, Kubernetes {version}: {problem}")
    if problems:
        sys.exit(1)
    print(f"check-k8s: {directory} valid for Kubernetes {' and '.join(versions)} (strict)")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
