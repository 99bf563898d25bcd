#!/usr/bin/env python3
"""Cross-checks `aiw validate` against `kubernetes-validate --strict`.

Usage: scripts/validate-crosscheck.sh [AIW] (installs kubernetes-validate,
then runs this with its Python). Direct use:
  PYTHON_OF_KUBERNETES_VALIDATE scripts/validate-crosscheck.py AIW FILE... [-k X.Y]...

Every FILE (a YAML stream of manifests) is validated by aiw (`-o json
--ignore-missing-schemas`) and, document by document, by kubernetes-validate's
own `validate(resource, version, strict=True)` (what `kubernetes-validate
--strict` runs per document), with `List` documents expanded into their
items for both (kubernetes-validate has no schema for `List` and skips it).
Each document's verdicts must agree, except where aiw is deliberately
stricter, which is counted by reason (README, "Differences from
kubernetes-validate"):
  quantity      a resource quantity not in quantity syntax
  enum          a value outside the enum of a common built-in field
  not-served    an apiVersion/kind the release does not serve
  crd           a custom resource checked against its CRD's schema
A disagreement of any other kind is a failure (exit 1).
"""
import json
import subprocess
import sys
from collections import Counter

import yaml
from kubernetes_validate import utils as kv

STRICTER = {"quantity", "not-served", "enum"}


def load(path):
    """Documents as kubernetes-validate reads them, `List`s expanded."""
    out = []
    queue = list(kv.resources_from_file(path))
    while queue:
        doc = queue.pop(0)
        if (isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List")
                and isinstance(doc.get("items"), list)):
            queue[0:0] = [d for d in doc["items"] if d]
            continue
        out.append(doc)
    return out


def kv_verdict(doc, version):
    """'valid', 'invalid', 'no-schema' (kubernetes-validate warns and passes)
    or 'error' (it cannot validate the document: an invalid verdict)."""
    try:
        kv.validate(doc, version, True)
        return "valid", ""
    except kv.ValidationError as e:
        return "invalid", "%s: %s" % (".".join(str(p) for p in e.path), e.message)
    except (kv.SchemaNotFoundError, kv.InvalidSchemaError) as e:
        return "no-schema", e.message
    except Exception as e:  # as kubernetes-validate: "could not be validated"
        return "error", repr(e)


def crd_kinds(docs):
    kinds = set()
    for d in docs:
        if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition":
            spec = d.get("spec") or {}
            for v in spec.get("versions") or [{"name": spec.get("version")}]:
                kinds.add(("%s/%s" % (spec.get("group"), v.get("name")),
                           (spec.get("names") or {}).get("kind")))
    return kinds


def main():
    args = sys.argv[1:]
    versions = []
    files = []
    while args:
        a = args.pop(0)
        if a == "-k":
            versions.append(args.pop(0))
        else:
            files.append(a)
    aiw, files = files[0], files[1:]
    versions = versions or ["1.37"]
    reasons = Counter()
    failures = []
    docs_total = 0
    for version in versions:
        for path in files:
            try:
                docs = load(path)
            except SystemExit as e:
                failures.append("%s: kubernetes-validate cannot read it: %s" % (path, e))
                continue
            run = subprocess.run(
                [aiw, "validate", path, "-o", "json", "--ignore-missing-schemas",
                 "--kubernetes-version", version],
                capture_output=True, text=True)
            if run.returncode not in (0, 1):
                failures.append("%s: aiw exit %d: %s" % (path, run.returncode, run.stderr.strip()))
                continue
            report = json.loads(run.stdout)
            if report["summary"]["resources"] != len(docs):
                failures.append("%s: aiw read %d documents, kubernetes-validate %d" % (
                    path, report["summary"]["resources"], len(docs)))
                continue
            by_doc = {}
            for p in report["problems"]:
                by_doc.setdefault(p["index"], []).append(p)
            custom = crd_kinds(docs)
            for i, doc in enumerate(docs):
                docs_total += 1
                verdict, why = kv_verdict(doc, version)
                problems = by_doc.get(i, [])
                kv_ok = verdict in ("valid", "no-schema")
                where = "%s [%d] %s %s (Kubernetes %s)" % (
                    path, i, doc.get("apiVersion") if isinstance(doc, dict) else "?",
                    doc.get("kind") if isinstance(doc, dict) else "?", version)
                if kv_ok and not problems:
                    reasons["agree: valid"] += 1
                elif not kv_ok and problems:
                    reasons["agree: invalid"] += 1
                elif not kv_ok:
                    failures.append("%s: kubernetes-validate: %s; aiw: valid" % (where, why))
                else:
                    codes = {p["problem"] for p in problems}
                    is_custom = isinstance(doc, dict) and (doc.get("apiVersion"), doc.get("kind")) in custom
                    if is_custom:
                        reasons["stricter: crd"] += 1
                    elif codes <= STRICTER:
                        for c in sorted(codes):
                            reasons["stricter: " + c] += 1
                    else:
                        failures.append("%s: kubernetes-validate: %s; aiw: %s" % (
                            where, verdict, "; ".join(
                                "%s: %s" % (p["path"], p["message"]) for p in problems)))
    for f in failures:
        print("MISMATCH " + f)
    print("%d documents in %d files, Kubernetes %s:" % (docs_total, len(files), ", ".join(versions)))
    for r, n in sorted(reasons.items()):
        print("  %-28s %d" % (r, n))
    print("%d passed, %d failed" % (docs_total - len(failures), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
