#!/usr/bin/env python3
"""Generate reference vectors for the Go package pypi/osv.

Run from the repository root with a Python that has pip (its vendored
packaging is the reference for PEP 440 ordering) and PyYAML:

    python3 scripts/gen-osv-vectors.py

It writes pypi/osv/testdata/vectors.json: for synthetic ranges (the edge
cases: introduced "0", last_affected, pre-, post-, dev and local releases,
epochs, unsorted events, limits) and for every advisory under
pypi/osv/testdata/advisory-db, whether each of a list of versions is
affected. The evaluation is the OSV schema's pseudocode ("Evaluation" in
the schema's documentation) with packaging's Version ordering; the Go tests
read the file and need no Python.

Two rules are ours, not the schema's, and are applied here as in Go:

* an event version that is not PEP 440 is left out of its range, except an
  introduced one, which counts as "0" (never report clean what may not be);
* a range without an introduced event starts at "0".

YAML is read with PyYAML's BaseLoader, so every scalar stays the text
written (as the Go reader keeps it). The output is deterministic.
"""

import json
import os

import yaml
from pip._vendor.packaging import __version__ as PACKAGING_VERSION
from pip._vendor.packaging.utils import canonicalize_name
from pip._vendor.packaging.version import InvalidVersion, Version

TESTDATA = os.path.join("pypi", "osv", "testdata")
OUT = os.path.join(TESTDATA, "vectors.json")

# Versions tried against every synthetic range.
PROBES = [
    "0", "0.0.1", "0.9", "1.0.dev0", "1.0a1", "1.0b2.post1", "1.0rc1", "1.0rc1.post1",
    "1.0", "1.0.0", "1.0+local", "1.0+abc.5", "1.0.post0.dev1", "1.0.post1", "1.0.post1+x",
    "1.0.post2", "1.0.post3", "1.0.1", "1.1.dev0", "1.1a1", "1.1rc1", "1.1", "1.1+ubuntu.1",
    "1.1.post0", "1.1.1", "1.26.16", "1.26.17", "1.26.17+local", "2.0.0rc1", "2.0", "2.0.5",
    "2.0.6.dev1", "2.0.6", "2.0.6.post1", "2.1", "3.0", "10.0", "1!0.1", "1!1.0", "1!2.0",
]

# Synthetic ranges: a name, the events as an OSV record writes them, and
# optionally an explicit versions list.
RANGES = [
    ("introduced 0 only", [{"introduced": "0"}], []),
    ("introduced 0, fixed", [{"introduced": "0"}, {"fixed": "1.1"}], []),
    ("introduced, fixed", [{"introduced": "1.0"}, {"fixed": "1.1"}], []),
    ("last_affected is inclusive", [{"introduced": "0"}, {"last_affected": "1.1"}], []),
    ("last_affected equal to introduced", [{"introduced": "1.0"}, {"last_affected": "1.0"}], []),
    ("pre-release bounds", [{"introduced": "1.0a1"}, {"fixed": "1.0rc1"}], []),
    ("dev bound", [{"introduced": "1.0.dev0"}, {"fixed": "1.1.dev0"}], []),
    ("post-release bounds", [{"introduced": "1.0.post1"}, {"fixed": "1.0.post3"}], []),
    ("last_affected post-release", [{"introduced": "1.0"}, {"last_affected": "1.0.post1"}], []),
    ("local version bounds", [{"introduced": "1.0+abc.5"}, {"fixed": "1.0.post1"}], []),
    ("epochs", [{"introduced": "1!0"}, {"fixed": "1!1.0"}], []),
    ("two series", [{"introduced": "1.0"}, {"fixed": "1.1"}, {"introduced": "2.0"}, {"fixed": "2.0.6"}], []),
    ("unsorted events", [{"introduced": "2.0.0"}, {"fixed": "2.0.6"}, {"introduced": "0"}, {"fixed": "1.26.17"}], []),
    ("fixed and introduced at the same version", [{"introduced": "1.0"}, {"fixed": "2.0"}, {"introduced": "2.0"}, {"fixed": "3.0"}], []),
    ("introduced and fixed at the same version", [{"introduced": "2.0"}, {"fixed": "2.0"}], []),
    ("limit", [{"introduced": "0"}, {"limit": "1.1"}], []),
    ("limit star", [{"introduced": "1.0"}, {"limit": "*"}], []),
    ("two limits", [{"introduced": "0"}, {"limit": "1.0"}, {"limit": "2.0.6"}], []),
    ("no introduced event", [{"fixed": "1.1"}], []),
    ("unparsable fixed", [{"introduced": "1.0"}, {"fixed": "2019-09-12"}], []),
    ("unparsable introduced", [{"introduced": "n653"}, {"fixed": "1.1"}], []),
    ("versions list only", [], ["1.0", "1.1.post0", "1!1.0", "0.8.0-alpha2", "a3"]),
    ("versions list spelled otherwise", [], ["1", "2.0.6-1", "1.0+LOCAL"]),
    ("versions beside a range", [{"introduced": "2.0"}, {"fixed": "2.1"}], ["1.0", "1.1rc1"]),
]


def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None


def in_versions(v, versions):
    pv = parse(v)
    for s in versions:
        if s == v:
            return True
        ps = parse(s)
        if ps is not None and pv is not None and ps == pv:
            return True
    return False


def in_range(v, events):
    """The schema's IncludedInRanges for one ECOSYSTEM range, with our two rules."""
    pv = parse(v)
    if pv is None:
        return False
    timeline, limits = [], []
    for e in events:
        (kind, s), = e.items()
        if kind == "limit":
            if "*" in s:
                limits.append(None)
            elif parse(s) is not None:
                limits.append(parse(s))
            continue
        if kind == "introduced" and (s == "0" or parse(s) is None):
            timeline.append((kind, None))
        elif parse(s) is not None:
            timeline.append((kind, parse(s)))
    if not any(k == "introduced" for k, _ in timeline):
        timeline.insert(0, ("introduced", None))
    if limits and not any(l is None or pv < l for l in limits):
        return False
    # Stable sort by version, "0" first, ties in the record's order.
    timeline = [t for _, t in sorted(enumerate(timeline), key=lambda it: (it[1][1] is not None, it[1][1] or Version("0"), it[0]))]
    affected = False
    for kind, bound in timeline:
        if kind == "introduced":
            if bound is None or pv >= bound:
                affected = True
        elif kind == "fixed":
            if pv >= bound:
                affected = False
        elif kind == "last_affected":
            if pv > bound:
                affected = False
    return affected


def affected(record, project, v):
    if "withdrawn" in record:
        return False
    for a in record.get("affected", []):
        pkg = a["package"]
        if pkg["ecosystem"] != "PyPI" or canonicalize_name(pkg["name"]) != canonicalize_name(project):
            continue
        if in_versions(v, a.get("versions", [])):
            return True
        for r in a.get("ranges", []):
            if r["type"] == "ECOSYSTEM" and in_range(v, r["events"]):
                return True
    return False


def probes_for(record):
    """PROBES, every listed version (parsable or not) and each bound's neighbours."""
    out = list(PROBES)
    for a in record.get("affected", []):
        out += a.get("versions", [])
        for r in a.get("ranges", []):
            if r["type"] != "ECOSYSTEM":
                continue
            for e in r["events"]:
                (_, s), = e.items()
                out += [n for n in (s, s + ".dev0", s + "rc1", s + ".post1", s + "+local") if parse(n) is not None]
    return list(dict.fromkeys(out))


def main():
    ranges = []
    for name, events, versions in RANGES:
        record = {"affected": [{"package": {"ecosystem": "PyPI", "name": "p"}, "versions": versions,
                                "ranges": [{"type": "ECOSYSTEM", "events": events}] if events else []}]}
        probes = PROBES + [v for v in versions if v not in PROBES]
        ranges.append({"name": name, "events": events, "versions": versions,
                       "cases": [[v, affected(record, "p", v)] for v in probes]})
    files = []
    root = os.path.join(TESTDATA, "advisory-db")
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for f in sorted(filenames):
            if not f.endswith(".yaml"):
                continue
            path = os.path.join(dirpath, f)
            with open(path) as fh:
                record = yaml.load(fh, Loader=yaml.BaseLoader)
            project = record["affected"][0]["package"]["name"]
            files.append({"file": os.path.relpath(path, TESTDATA).replace(os.sep, "/"), "project": project,
                          "cases": [[v, affected(record, project, v)] for v in probes_for(record)]})
    doc = {"generator": "scripts/gen-osv-vectors.py", "packaging": PACKAGING_VERSION, "ranges": ranges, "files": files}
    with open(OUT, "w") as fh:
        json.dump(doc, fh, indent=1, sort_keys=True)
        fh.write("\n")


if __name__ == "__main__":
    main()
