#!/usr/bin/env python3
"""Regenerates defaults.json from the kustomize v5.5 default field specs (*.yaml here).

Run from anywhere: python3 src/fieldspec/gen.py. The output is committed; the
build never runs this script. The YAML files are kustomize v5.5.0's published
defaults (api/internal/konfig/builtinpluginconsts at api/v0.18.0), one category
per file, exactly as kustomize concatenates them into its default config.
"""
import json
import os

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

# Order as kustomize's GetDefaultFieldSpecs joins them (it does not matter for
# the result: each file holds a distinct top-level key).
FILES = [
    "nameprefix",
    "namesuffix",
    "commonlabels",
    "templatelabels",
    "commonannotations",
    "namespace",
    "varreference",
    "namereference",
    "images",
    "replicas",
]


def main():
    merged = {}
    for name in FILES:
        with open(os.path.join(HERE, name + ".yaml")) as f:
            doc = yaml.safe_load(f)
        for key, value in doc.items():
            if key in merged:
                raise SystemExit("duplicate category %s in %s.yaml" % (key, name))
            merged[key] = value
    with open(os.path.join(HERE, "defaults.json"), "w") as f:
        json.dump(merged, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
