#!/usr/bin/env python3
"""Generates k8s-1.21.2.txt, the compact builtin schema read by src/schema.rs.

Input: the Kubernetes v1.21.2 OpenAPI subset kustomize v5.5 embeds
(/work/shared/reference/k8s-openapi-v1.21.2-merge.json by default).

Output format, one record a line (tab separated):
  D<definition name>\t<node>      definitions, in order; index = line order among D lines
  G<apiVersion>\t<kind>\t<def index>
  S<apiVersion>\t<kind>\t<N|C>    scope: Namespaced or Cluster (kinds with no scope omitted)
Node grammar (empty = a leaf with no merge information), parts in this order:
  !<strategy>;        x-kubernetes-patch-strategy
  ~<key>;             x-kubernetes-patch-merge-key
  ^<k1>,<k2>;         x-kubernetes-list-map-keys
  @<index>            $ref to definition <index>
  (<name>:<node>,...) properties
  [<node>             type array with items <node> (last: runs to the node's end)
  {<node>             additionalProperties <node> (last, never with [)
"""
import json
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference/k8s-openapi-v1.21.2-merge.json"
OUT = sys.argv[2] if len(sys.argv) > 2 else __file__.rsplit("/", 1)[0] + "/k8s-1.21.2.txt"

d = json.load(open(SRC))
defs = d["definitions"]
names = list(defs)
index = {n: i for i, n in enumerate(names)}
SAFE = re.compile(r"^[A-Za-z0-9_.$/-]+$")


def safe(s):
    assert SAFE.match(s), s
    return s


def node(s):
    # Extensions, $ref and properties first: an items/additionalProperties
    # child extends to the end of its parent, so at most one of them, last.
    out = ""
    if "x-kubernetes-patch-strategy" in s:
        out += "!" + ",".join(safe(p) for p in s["x-kubernetes-patch-strategy"].split(",")) + ";"
    if "x-kubernetes-patch-merge-key" in s:
        out += "~" + safe(s["x-kubernetes-patch-merge-key"]) + ";"
    if "x-kubernetes-list-map-keys" in s:
        out += "^" + ",".join(safe(k) for k in s["x-kubernetes-list-map-keys"]) + ";"
    ref = s.get("$ref")
    if ref:
        assert ref.startswith("#/definitions/"), ref
        out += "@%d" % index[ref[len("#/definitions/"):]]
    props = s.get("properties")
    if props:
        out += "(" + ",".join(safe(k) + ":" + node(v) for k, v in props.items()) + ")"
    items = s.get("type") == "array" and "items" in s
    add = isinstance(s.get("additionalProperties"), dict)
    assert not (items and add)
    if items:
        out += "[" + node(s["items"])
    if add:
        out += "{" + node(s["additionalProperties"])
    return out


lines = []
for n in names:
    lines.append("D%s\t%s" % (safe(n), node(defs[n])))
for n in names:
    for g in defs[n].get("gvk", []):
        av = g["version"] if not g.get("group") else g["group"] + "/" + g["version"]
        lines.append("G%s\t%s\t%d" % (av, g["kind"], index[n]))
for r in d["resources"]:
    if "scope" in r:
        lines.append("S%s\t%s\t%s" % (r["apiVersion"], r["kind"], "N" if r["scope"] == "Namespaced" else "C"))
with open(OUT, "w") as f:
    f.write("\n".join(lines) + "\n")
