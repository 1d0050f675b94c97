"""Kubernetes JSON schemas for kubeconform, offline, from the PyPI package
kubernetes-validate (its wheel ships the schemas of many Kubernetes versions).

Usage: python3 k8s-schemas.py WHEEL OUT_DIR VERSION...   (VERSION like 1.34.0)

Writes OUT_DIR/vVERSION-standalone-strict/<kind>-<group>-<version>.json, the layout
kubeconform's -schema-location template expects. The wheel's schemas point at their
shared definitions by an absolute URL (their $id is on kubernetes.io); here each file
refers to the _definitions.json beside it instead, so nothing is fetched.
"""

import json
import sys
import zipfile

PREFIX = "kubernetes_validate/kubernetes-json-schema/"


def localise(schema):
    """The schema with its $id dropped and its shared-definition references made relative."""
    schema.pop("$id", None)

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("/api/_definitions.json"):
                node["$ref"] = ref[len("/api/"):]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


def main(wheel, out_dir, versions):
    import os

    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        for version in versions:
            source = f"{PREFIX}v{version}-local-strict/"
            members = [n for n in names if n.startswith(source) and n.endswith(".json")]
            if not members:
                sys.exit(f"k8s-schemas: the wheel has no schemas for Kubernetes {version}")
            target = os.path.join(out_dir, f"v{version}-standalone-strict")
            os.makedirs(target, exist_ok=True)
            for member in members:
                schema = localise(json.loads(z.read(member)))
                with open(os.path.join(target, member[len(source):]), "w") as f:
                    json.dump(schema, f)
            print(f"k8s-schemas: Kubernetes {version}: {len(members)} schemas")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
