#!/usr/bin/env python3
"""Generates k8s.rs, the Kubernetes API schemas `aiw validate` embeds.

Usage: python3 src/validate/gen.py [SCHEMA_DIR [OUTPUT.rs]]

Input: the strict JSON schemas of the Kubernetes API that the PyPI package
kubernetes-validate ships (`kubernetes_validate/kubernetes-json-schema/
vX.Y.0-local-strict/_definitions.json`), one document per Kubernetes
release, each the official OpenAPI definitions of that release (the
`swagger.json` of kubernetes/kubernetes) turned into JSON Schema: every
object closed (`additionalProperties: false`), required properties not
nullable, `apiVersion` and `kind` of each type limited to their own values.
Default SCHEMA_DIR: the package installed by scripts/kubernetes-validate.sh
into target/ (installed when missing). Every release from 1.30 on that the
package has is taken. The output is committed; the build never runs this.

Output, static tables (no start-up work; definitions parsed on first use):
  K8S_VERSIONS   "1.30", "1.31", ... (index = bit in the masks below)
  K8S_BODIES     distinct definition bodies (node grammar below); a body
                 that is the same in several releases is stored once
  K8S_DEFS       per release: definition number -> body number + 1 (0: the
                 release has no such definition); definitions are numbered
                 by name across all releases
  K8S_TYPES      (apiVersion, kind, definition number, mask of the releases
                 that serve the type), sorted by (apiVersion, kind)

Enum values: the strict schemas carry none besides `apiVersion` and `kind`
(the OpenAPI documents list the values of Go `+enum` types, which the
conversion drops), so ENUMS below keeps the values of the most used enum
fields of the built-in API by hand, from the Kubernetes API reference; an
empty string or null there reads as unset (the API server defaults it).

Node grammar, parts in this order (all optional; an empty node accepts any
value):
  !            null is not accepted (otherwise every type also takes null)
  <letters>    the accepted types: s string, i integer, n number, b boolean,
               a array, o object (none: any type)
  @<n>;        $ref to definition <n>
  Q            a quantity (a string, or a number)
  I            an int-or-string
  =<v>|<v>;    enum of string values
  ~<v>|<v>;    enum of string values, where "" and null read as unset
  (<p>,...)    properties, each <name>:<node>, required ones as *<name>:<node>;
               the object is closed unless `{` follows
  {<node>      additionalProperties <node> (last: runs to the node's end)
  [<node>      items <node> (last)
"""
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIRST = (1, 30)

if len(sys.argv) > 1:
    SRC = sys.argv[1]
else:
    SRC = subprocess.run(
        ["bash", os.path.join(ROOT, "scripts", "kubernetes-validate.sh"), "--schemas"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "k8s.rs")

# (definition, property) -> allowed values; for an array property, of its
# items. Every entry must match a string property in the newest release.
CORE = "io.k8s.api.core.v1."
PROTOCOLS = ["SCTP", "TCP", "UDP"]
ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
EFFECTS = ["NoExecute", "NoSchedule", "PreferNoSchedule"]
ENUMS = {
    (CORE + "Container", "imagePullPolicy"): ["Always", "IfNotPresent", "Never"],
    (CORE + "EphemeralContainer", "imagePullPolicy"): ["Always", "IfNotPresent", "Never"],
    (CORE + "Container", "terminationMessagePolicy"): ["FallbackToLogsOnError", "File"],
    (CORE + "EphemeralContainer", "terminationMessagePolicy"): ["FallbackToLogsOnError", "File"],
    (CORE + "PodSpec", "restartPolicy"): ["Always", "Never", "OnFailure"],
    (CORE + "PodSpec", "dnsPolicy"): ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
    (CORE + "PodSpec", "preemptionPolicy"): ["Never", "PreemptLowerPriority"],
    (CORE + "ContainerPort", "protocol"): PROTOCOLS,
    (CORE + "ServicePort", "protocol"): PROTOCOLS,
    ("io.k8s.api.networking.v1.NetworkPolicyPort", "protocol"): PROTOCOLS,
    (CORE + "ServiceSpec", "type"): ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
    (CORE + "ServiceSpec", "externalTrafficPolicy"): ["Cluster", "Local"],
    (CORE + "ServiceSpec", "internalTrafficPolicy"): ["Cluster", "Local"],
    (CORE + "ServiceSpec", "sessionAffinity"): ["ClientIP", "None"],
    (CORE + "ServiceSpec", "ipFamilyPolicy"): ["PreferDualStack", "RequireDualStack", "SingleStack"],
    (CORE + "ServiceSpec", "ipFamilies"): ["IPv4", "IPv6"],
    (CORE + "HTTPGetAction", "scheme"): ["HTTP", "HTTPS"],
    (CORE + "Toleration", "operator"): ["Equal", "Exists"],
    (CORE + "Toleration", "effect"): EFFECTS,
    (CORE + "Taint", "effect"): EFFECTS,
    (CORE + "NodeSelectorRequirement", "operator"): ["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"],
    (CORE + "PersistentVolumeClaimSpec", "accessModes"): ACCESS_MODES,
    (CORE + "PersistentVolumeSpec", "accessModes"): ACCESS_MODES,
    (CORE + "PersistentVolumeClaimSpec", "volumeMode"): ["Block", "Filesystem"],
    (CORE + "SeccompProfile", "type"): ["Localhost", "RuntimeDefault", "Unconfined"],
    ("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement", "operator"):
        ["DoesNotExist", "Exists", "In", "NotIn"],
    ("io.k8s.api.networking.v1.HTTPIngressPath", "pathType"): ["Exact", "ImplementationSpecific", "Prefix"],
    ("io.k8s.api.networking.v1.NetworkPolicySpec", "policyTypes"): ["Egress", "Ingress"],
    ("io.k8s.api.apps.v1.DeploymentStrategy", "type"): ["Recreate", "RollingUpdate"],
    ("io.k8s.api.apps.v1.StatefulSetUpdateStrategy", "type"): ["OnDelete", "RollingUpdate"],
    ("io.k8s.api.apps.v1.DaemonSetUpdateStrategy", "type"): ["OnDelete", "RollingUpdate"],
    ("io.k8s.api.apps.v1.StatefulSetSpec", "podManagementPolicy"): ["OrderedReady", "Parallel"],
    ("io.k8s.api.batch.v1.CronJobSpec", "concurrencyPolicy"): ["Allow", "Forbid", "Replace"],
    ("io.k8s.api.batch.v1.JobSpec", "completionMode"): ["Indexed", "NonIndexed"],
    ("io.k8s.api.autoscaling.v2.MetricSpec", "type"):
        ["ContainerResource", "External", "Object", "Pods", "Resource"],
    ("io.k8s.api.autoscaling.v2.MetricTarget", "type"): ["AverageValue", "Utilization", "Value"],
}

NAME = re.compile(r"^[A-Za-z0-9_.$/-]+$")
REF = "#/$defs/"


def safe(s):
    assert NAME.match(s), s
    return s


def releases():
    out = []
    for entry in os.listdir(SRC):
        m = re.match(r"^v(\d+)\.(\d+)\.0-local-strict$", entry)
        if m and (int(m.group(1)), int(m.group(2))) >= FIRST:
            out.append((int(m.group(1)), int(m.group(2))))
    return sorted(out)


VERSIONS = releases()
assert VERSIONS, "no schemas from 1.30 on in " + SRC
assert len(VERSIONS) <= 32
docs = []
for major, minor in VERSIONS:
    path = os.path.join(SRC, "v%d.%d.0-local-strict" % (major, minor), "_definitions.json")
    with open(path) as f:
        docs.append(json.load(f)["$defs"])

for i, d in enumerate(docs):
    for (name, prop), values in ENUMS.items():
        target = d.get(name, {}).get("properties", {}).get(prop)
        if target is None:
            assert i < len(docs) - 1, (name, prop)
            continue
        if "items" in target:
            target = target["items"]
        assert "string" in target.get("type", []) and "enum" not in target, (name, prop, target)
        target["x-aiw-enum"] = values

names = sorted(set(n for d in docs for n in d))
number = {n: i for i, n in enumerate(names)}
assert len(names) < 65536

TYPES = {"string": "s", "integer": "i", "number": "n", "boolean": "b", "array": "a", "object": "o"}
KNOWN = {
    "description", "type", "$ref", "properties", "required", "additionalProperties", "items",
    "enum", "oneOf", "format", "x-kubernetes-group-version-kind", "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-patch-strategy",
    "x-kubernetes-patch-merge-key", "x-kubernetes-unions", "x-aiw-enum",
}
# The two oneOf forms the documents use.
QUANTITY = [{"type": ["string", "null"]}, {"type": ["number", "null"]}]
INT_OR_STRING = [{"type": ["string", "null"]}, {"type": ["integer", "null"]}]


def node(s):
    unknown = set(s) - KNOWN
    assert not unknown, unknown
    out = ""
    t = s.get("type")
    if t is not None:
        ts = t if isinstance(t, list) else [t]
        if "null" not in ts:
            out += "!"
        out += "".join(TYPES[x] for x in ts if x != "null")
    ref = s.get("$ref")
    if ref:
        assert ref.startswith(REF), ref
        out += "@%d;" % number[ref[len(REF):]]
    if "oneOf" in s:
        if s["oneOf"] == QUANTITY:
            out += "Q"
        elif s["oneOf"] == INT_OR_STRING:
            out += "I"
        else:
            raise AssertionError(s["oneOf"])
    if "enum" in s:
        out += "=" + "|".join(safe(v) for v in s["enum"]) + ";"
    if "x-aiw-enum" in s:
        out += "~" + "|".join(safe(v) for v in s["x-aiw-enum"]) + ";"
    props = s.get("properties")
    required = set(s.get("required", []))
    add = s.get("additionalProperties")
    if props is not None:
        assert required <= set(props), (required, props)
        assert add is not True
        out += "(" + ",".join(
            ("*" if k in required else "") + safe(k) + ":" + node(props[k]) for k in sorted(props)
        ) + ")"
    else:
        assert not required
        assert add is not False
    items = s.get("items")
    assert not (items is not None and isinstance(add, dict))
    if isinstance(add, dict):
        out += "{" + node(add)
    if items is not None:
        out += "[" + node(items)
    return out


bodies = []
body_number = {}
defs = []
served = {}
for vi, d in enumerate(docs):
    row = [0] * len(names)
    for n, s in d.items():
        body = node(s)
        if body not in body_number:
            body_number[body] = len(bodies)
            bodies.append(body)
        row[number[n]] = body_number[body] + 1
        for g in s.get("x-kubernetes-group-version-kind", []):
            av = g["version"] if not g.get("group") else g["group"] + "/" + g["version"]
            key = (safe(av), safe(g["kind"]))
            prev = served.get(key)
            assert prev is None or prev[0] == number[n], key
            served[key] = (number[n], (prev[1] if prev else 0) | (1 << vi))
    defs.append(row)
assert len(bodies) < 65535


def rs(s):
    """A Rust string literal."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


out = [
    "// @generated by src/validate/gen.py from the strict JSON schemas of the",
    "// Kubernetes API in kubernetes-validate; do not edit. Included by",
    "// src/validate/schema.rs.",
    "",
    "/// The embedded Kubernetes releases, oldest first.",
    "static K8S_VERSIONS: [&str; %d] = [%s];" % (
        len(VERSIONS), ", ".join(rs("%d.%d" % v) for v in VERSIONS)),
    "",
    "/// Distinct definition bodies, in gen.py's node grammar.",
    "static K8S_BODIES: [&str; %d] = [" % len(bodies),
]
out += ["    %s," % rs(b) for b in bodies]
out += [
    "];",
    "",
    "/// Per release: definition number -> body number + 1 (0: not in the release).",
    "static K8S_DEFS: [[u16; %d]; %d] = [" % (len(names), len(VERSIONS)),
]
for row in defs:
    line = "    ["
    for i, x in enumerate(row):
        if i % 24 == 0:
            out.append(line)
            line = "       "
        line += " %d," % x
    out.append(line)
    out.append("    ],")
out += [
    "];",
    "",
    "/// (apiVersion, kind, definition number, releases serving it as a bit mask),",
    "/// sorted by (apiVersion, kind).",
    "static K8S_TYPES: [(&str, &str, u16, u32); %d] = [" % len(served),
]
out += ["    (%s, %s, %d, %d)," % (rs(av), rs(k), n, m) for (av, k), (n, m) in sorted(served.items())]
out += ["];"]
with open(OUT, "w") as f:
    f.write("\n".join(out) + "\n")
print("%s: %d releases, %d definitions, %d bodies (%d bytes), %d types" % (
    OUT, len(VERSIONS), len(names), len(bodies), sum(len(b) for b in bodies), len(served)),
    file=sys.stderr)
