#!/usr/bin/env python3
"""Generate reference vectors for the Go package pypi from pip's vendored packaging.

Run from the repository root with a Python whose pip vendors packaging 24.x
(pip 24.2 vendors 24.1):

    python3 scripts/gen-vectors.py [--bitpoll DIR]

It writes pypi/testdata/vectors/*.json. The output is deterministic: every
random choice comes from a fixed seed and every list is in a fixed order, so
re-running produces byte-identical files. The Go tests read these files and
need no Python.

Where the vectors state more than packaging computes directly, it says so:

* specifiers.json "canonical" is our canonical form: each clause with its
  version normalized (str(Version)), "===" clauses as written, sorted and
  de-duplicated. packaging's str() keeps versions as written.
* specifiers.json "filter" applies PEP 440's candidate rule built from two
  packaging calls: SpecifierSet.filter(vs, prereleases=<set asks for them>),
  and when that is empty, SpecifierSet.filter(vs, prereleases=True)
  (pre-releases are accepted when nothing else matches). packaging 24.1's own
  default filter() only falls back for an empty set.
* markers.json leaves a result null where packaging 24.1 disagrees with the
  marker rules we follow (those of later packaging releases): it compares any
  variable as a version when the other side parses as one, and it raises when
  a version-valued variable does not parse or a comparison is undefined.
"""

import argparse
import itertools
import json
import os
import random
import re
import sys

from pip._vendor.packaging import __version__ as PACKAGING_VERSION
from pip._vendor.packaging.markers import Marker, InvalidMarker, Variable, Value
from pip._vendor.packaging.requirements import Requirement, InvalidRequirement
from pip._vendor.packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from pip._vendor.packaging.utils import canonicalize_name, canonicalize_version
from pip._vendor.packaging.version import InvalidVersion, Version

OUT = os.path.join("pypi", "testdata", "vectors")
SEED = 440

VERSION_VARIABLES = {"python_version", "python_full_version", "implementation_version", "platform_release"}

# Versions the issue names explicitly, plus other spellings worth pinning.
TRICKY_VERSIONS = [
    "1.0", "1!2.0", "1.0RC1", "1.0-1", "1.0.post0", "1.0.dev3", "1.0c1", "1.0-r4", "1.0.post",
    "1.0-dev", "1.0+ubuntu.1", "1.0+ubuntu-1", "v1.0", " 1.0 ", "\t1.0\n", "01.002", "1.0.0-alpha.1",
    "1.0-", "1.0.dev1.post1", "2004d", "", "1.0.dev0", "1.0a1", "1.0b2.post345.dev456",
    "1.0rc1.post1", "1.0+abc", "1.0+5", "1.0.post1.dev1", "1.0.post1", "2.0", "1!0.1", "1.0.0",
    "20240202", "2024.2.2", "V1.0", "1.0A1", "1.0ALPHA1", "1.0Beta2", "1.0preview3", "1.0PRE4",
    "1.0.rc.5", "1.0_a_6", "1.0-b-7", "1.0rev", "1.0-REV8", "1.0.r9", "1.0DEV", "1.0.dev_10",
    "1.0+AbC.01", "1.0+abc.1", "1.0+1.abc", "1.0+01", "1.0+a-b_c.d", "1.0+", "1.0+a..b",
    "1.0+a.", "+1.0", "1..0", "1.0.", ".1.0", "1.0a", "1.0a.", "1.0a-", "1.0.post.", "1.0a.-1",
    "1.0-dev-", "1.0.r.", "1.0 a1", "1.0a1b1", "1.0.post1.post2", "1.0.dev1.dev2", "1!", "!1.0",
    "1!1!1.0", "v", "vv1.0", "1.0v", "one", "1.0-foo", "1.0+local+again", "0", "0.0", "0!0",
    "000", "1.0.0.0.0.0.0.0", "1.0a0", "1.0b0", "1.0rc0", "1.0.post0.dev0", "1.0a1.dev1",
    "1.0a1.post1.dev1", "1.0-1-1", "1.0-1.dev1", "1.0_1", "1.0.1-", "2.9.0.post0", "0.4.dev1",
    "3.4.4", "5.0.6", "999999999999999999", "1.0+999999999999999999999999", "1.0+ubuntu1.2.3",
    "1.0+ubuntu.01.a", "1.0\n", "\n1.0", " v1.0a1.post2.dev3+x ", "1.0 +x", "1.0+ x",
]

# Systematic version spellings: the generator combines one of each.
EPOCHS = ["", "", "", "0!", "1!", "2!", "10!"]
RELEASES = ["0", "1", "1.0", "1.2", "1.2.3", "1.0.0", "2.0", "01.002", "1.0.0.0", "2024.2.2", "20240202", "3.10", "0.9.7", "10.20.30.40"]
PRES = ["", "", "", "a1", "b2", "rc3", "a", "alpha", "alpha1", "beta", "beta2", "c4", "pre5", "preview", "preview6",
        "-a7", ".b8", "_rc9", ".a.10", "-b-11", "_c_12", "RC13", "A", "Alpha.14", "rc-", "b."]
POSTS = ["", "", "", ".post1", "-1", "-2", "post", ".post", "post3", ".r4", "-rev5", "_post_6", ".POST7", "r", "-r-8", "rev.", "post."]
DEVS = ["", "", "", ".dev0", "dev", ".dev", "-dev7", ".DEV_8", "dev9", "_dev", "-dev-"]
LOCALS = ["", "", "", "", "+ubuntu.1", "+abc-01", "+5", "+A_b.C", "+0", "+1.2.3", "+deadbeef", "+x-y_z.01"]


def add_unique(out, seen, items):
    for s in items:
        if s not in seen:
            seen.add(s)
            out.append(s)


def mutate(rng, s):
    """An invalid-looking mutation of a version string (it may stay valid)."""
    ops = [
        lambda: s + rng.choice(["-", ".", "_", "+", "!", "*", "..", "x", "-foo", "+", " 1"]),
        lambda: rng.choice(["-", ".", "+", "!", "x", "=", "=="]) + s,
        lambda: s.replace(".", "..", 1),
        lambda: s.replace(".", "", 1),
        lambda: s[: max(0, len(s) - 1)],
        lambda: s[1:],
        lambda: s[: len(s) // 2] + rng.choice(["#", " ", "/", "!", "é", "\x00"]) + s[len(s) // 2 :],
        lambda: s.upper(),
        lambda: s + rng.choice([".post1.post2", ".dev1.a1", "a1b1", ".dev1.post1"]),
    ]
    return rng.choice(ops)()


def bitpoll_versions(directory):
    out = []
    if not directory or not os.path.isdir(directory):
        return out
    for name in sorted(os.listdir(directory)):
        if not name.endswith((".txt", ".in")):
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                for m in re.finditer(r"(?:===|~=|==|!=|<=|>=|<|>)\s*([^\s,;]+)", line):
                    out.append(m.group(1))
    return out


def bitpoll_requirements(directory):
    out = []
    if not directory or not os.path.isdir(directory):
        return out
    for name in sorted(os.listdir(directory)):
        if not name.endswith((".txt", ".in")):
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line and not line.startswith("-"):
                    out.append(line)
    return out


def gen_version_strings(rng, bitpoll):
    out, seen = [], set()
    add_unique(out, seen, sorted(set(bitpoll)))
    add_unique(out, seen, TRICKY_VERSIONS)
    systematic = []
    while len(systematic) < 2200:
        s = (rng.choice(["", "", "", "", "v", "V"]) + rng.choice(EPOCHS) + rng.choice(RELEASES) + rng.choice(PRES)
             + rng.choice(POSTS) + rng.choice(DEVS) + rng.choice(LOCALS))
        if rng.random() < 0.1:
            s = s.upper()
        if rng.random() < 0.05:
            s = rng.choice([" ", "\t", "  "]) + s + rng.choice(["", " ", "\n"])
        systematic.append(s)
    add_unique(out, seen, systematic)
    mutated = [mutate(rng, rng.choice(systematic)) for _ in range(700)]
    add_unique(out, seen, mutated)
    return out


def version_vector(s):
    try:
        v = Version(s)
    except InvalidVersion:
        return {"input": s, "valid": False}
    return {
        "input": s,
        "valid": True,
        "canonical": str(v),
        "public": v.public,
        "base": v.base_version,
        "epoch": v.epoch,
        "release": list(v.release),
        "local": v.local or "",
        "pre": v.is_prerelease,
        "post": v.is_postrelease,
        "dev": v.is_devrelease,
    }


def cmp(a, b):
    return (a > b) - (a < b)


def gen_order(rng, version_strings):
    canon = sorted({str(Version(s)) for s in version_strings if version_vector(s)["valid"]})
    # Keep distinct spellings that canonicalize differently but compare equal.
    extra = ["1.0.0", "1.0.0.0", "1.0+abc.01", "1.0+ABC.1", "0!1.0", "1.0.post0", "1.0a0"]
    versions = sorted(set(canon) | set(extra))
    parsed = [Version(s) for s in versions]
    pairs = set()
    chain = ["1.0.dev0", "1.0a1", "1.0b2.post345.dev456", "1.0rc1.post1", "1.0", "1.0+abc", "1.0+5",
             "1.0.post1.dev1", "1.0.post1", "2.0", "1!0.1", "1.0.0", "1.0+abc.01"]
    idx = {s: i for i, s in enumerate(versions)}
    for a in chain:
        for b in chain:
            pairs.add((idx[a], idx[b]))
    while len(pairs) < 24000:
        i = rng.randrange(len(versions))
        # Half the pairs are near neighbours in string order, which share
        # prefixes and so exercise the later comparison keys.
        j = min(len(versions) - 1, i + rng.randrange(1, 6)) if rng.random() < 0.5 else rng.randrange(len(versions))
        pairs.add((i, j))
    return {
        "versions": versions,
        "pairs": [[i, j, cmp(parsed[i], parsed[j])] for i, j in sorted(pairs)],
    }


SPEC_STRINGS = [
    "", ">=1.0", ">=1.0,<2.0", ">=1.0, <2.0", " >= 1.0 , < 2.0 ", "==1.0", "==1.0.0", "==1", "!=1.0", "==1.*",
    "==1.0.*", "==1.1.*", "!=1.1.*", "==2.*", "==1!1.*", "==0!1.0.*", "~=1.0", "~=1.0.0", "~=2.2", "~=2.2.post3",
    "~=1.4.5a4", "~=1!1.0", "~=1", ">1.0", ">1.0.post1", ">1.0a1", ">1.0.dev1", "<1.0", "<1.0rc1", "<1.0.dev0",
    "<1.0.post1", "<=1.0", "<=2", "<=2.0a1", ">=1.0a1", ">=1.0.dev0", "==1.0a1", "==1.0+local", "==1.0+LOCAL.01",
    "!=1.0+local", "===1.0", "===1.0.0", "===1.0+Local", "===foo", "<2,!=1.5,>=1", ">=1.0,<=1.0", ">1.0,<1.0",
    "==1.0,!=1.0", "==1.0+a,==1+a,==1.0", "~=1.0,~=1.0.0", "==1.*,==1.0.*", ">=0.2.2", "==5.0.6", "==0.4.dev1", "==2.9.0.post0", ">=1.0a1,<2", "<2.0a1", ">=1,>=1.0",
    "V1.0", ">=v1.0", "==v1.*", "1.0", "=>1.0", ">=1.0.*", "<1.0+local", "==1.0a1.*", "~=1.0+local",
    "~=1.0.*", "==1.0.*.*", ">=1.0,", ",>=1.0", ">=1.0,,<2", "== 1.0 .*", "===a b", ">=", "==", "===", ">= 1.0 ; x",
    "!=1.*,!=2.*,>=0", "<3,>2.5.post1", ">2.5.post1", ">=2!1", "<1!0", "==1.0.post1.*",
]

SPEC_VERSIONS = [
    "0.9", "0.9.9", "1", "1.0", "1.0.0", "1.0.0.0", "1.0+local", "1.0+other", "1.0+local.01", "1.0a1", "1.0a2",
    "1.0b1", "1.0rc1", "1.0rc2", "1.0.dev0", "1.0.dev1", "1.0.post1", "1.0.post1+local", "1.0.post1.dev1",
    "1.0.post2", "1.1", "1.1a1", "1.1.post1", "1.1.3", "1.10", "1.4.5", "1.4.5a4", "1.4.5a5", "1.4.9", "1.5",
    "1.9.9", "2", "2.0", "2.0a1", "2.0.dev0", "2.0.post1", "2.2", "2.2.post3", "2.2.post4", "2.3", "2.5",
    "2.5.post1", "2.5.post2", "2.9.0.post0", "2.10", "3.0", "0.2.2", "0.2.4", "0.4.dev1", "0.4", "5.0.6",
    "1!0.1", "1!1.0", "1!1.5", "1!2.0", "0!1.0", "10.0",
]


def spec_canonical(text):
    """Clauses with normalized versions, sorted; of clauses that packaging
    deems equal (its trailing-zero-insensitive key) the first is kept. The
    clauses are taken from the text, not from a SpecifierSet, whose
    de-duplication keeps an arbitrary one of equal clauses."""
    parts = {}
    for s in (Specifier(p) for p in text.split(",") if p.strip()):
        v = s.version
        if s.operator == "===":
            text, key = "===" + v, "===" + v
        elif v.endswith(".*"):
            text = s.operator + str(Version(v[:-2])) + ".*"
            key = text
        else:
            text = s.operator + str(Version(v))
            key = text if s.operator == "~=" else s.operator + canonicalize_version(v)
        parts.setdefault(text, key)
    out, seen = [], set()
    for text in sorted(parts):
        if parts[text] not in seen:
            seen.add(parts[text])
            out.append(text)
    return ",".join(out)


def parse_spec_set(text):
    """SpecifierSet(text) when every non-=== clause's version parses too."""
    ss = SpecifierSet(text)
    for s in ss:
        if s.operator != "===":
            v = s.version[:-2] if s.version.endswith(".*") else s.version
            Version(v)
    return ss


def bits(flags):
    return "".join("1" if f else "0" for f in flags)


def gen_specifiers():
    vs = [Version(v) for v in SPEC_VERSIONS]
    out = []
    for text in SPEC_STRINGS:
        try:
            ss = parse_spec_set(text)
        except (InvalidSpecifier, InvalidVersion):
            out.append({"input": text, "valid": False})
            continue
        try:
            allows = bool(ss.prereleases)
        except InvalidVersion:  # "===foo": not a version, so not a pre-release
            allows = False
        filtered = list(ss.filter(SPEC_VERSIONS, prereleases=allows))
        if not filtered:
            filtered = list(ss.filter(SPEC_VERSIONS, prereleases=True))
        out.append({
            "input": text,
            "valid": True,
            "canonical": spec_canonical(text),
            "allows_prereleases": allows,
            "contains_true": bits(ss.contains(v, prereleases=True) for v in vs),
            "contains_false": bits(ss.contains(v, prereleases=False) for v in vs),
            "contains_default": bits(ss.contains(v, prereleases=allows) for v in vs),
            "filter": filtered,
        })
    return {"versions": SPEC_VERSIONS, "specifiers": out}


def environments():
    def cpython(full, base):
        env = dict(base)
        env.update({
            "implementation_name": "cpython",
            "implementation_version": full,
            "platform_python_implementation": "CPython",
            "python_full_version": full,
            "python_version": ".".join(full.split(".")[:2]),
            "extra": "",
        })
        return env

    linux = {"os_name": "posix", "platform_machine": "x86_64", "platform_release": "6.6.0", "platform_system": "Linux",
             "platform_version": "#1-NixOS SMP PREEMPT_DYNAMIC", "sys_platform": "linux"}
    darwin = {"os_name": "posix", "platform_machine": "arm64", "platform_release": "23.6.0", "platform_system": "Darwin",
              "platform_version": "Darwin Kernel Version 23.6.0", "sys_platform": "darwin"}
    windows = {"os_name": "nt", "platform_machine": "AMD64", "platform_release": "10", "platform_system": "Windows",
               "platform_version": "10.0.19045", "sys_platform": "win32"}
    envs = {}
    for full in ["3.8.18", "3.11.7", "3.12.1"]:
        envs["linux-cpython-" + full] = cpython(full, linux)
        envs["darwin-cpython-" + full] = cpython(full, darwin)
        envs["windows-cpython-" + full] = cpython(full, windows)
    pypy = cpython("3.10.13", linux)
    pypy.update({"implementation_name": "pypy", "implementation_version": "7.3.15",
                 "platform_python_implementation": "PyPy"})
    envs["linux-pypy-3.10.13"] = pypy
    odd = cpython("3.13.0rc1", linux)
    odd.update({"platform_release": "6.5.0-1025-azure", "extra": "Django_Extra"})
    envs["linux-cpython-3.13.0rc1-odd"] = odd
    return envs


MARKERS = [
    'python_version >= "3.8"', "python_version < '3.10'", "python_version>'3.8'", "'3.9' <= python_version",
    'python_version == "3.11"', 'python_version != "3.12"', 'python_version ~= "3.8"', 'python_version === "3.11"',
    'python_version == "3.*"', 'python_version == "3.1*"', 'python_full_version >= "3.11.7"',
    'python_full_version < "3.12.0rc1"', 'python_full_version >= "3.13.0a1"', 'implementation_version >= "7"',
    'platform_release >= "6"', 'platform_release < "10"', 'platform_release == "6.5.0-1025-azure"',
    'sys_platform == "linux"', "sys_platform == 'win32'", 'sys_platform != "darwin"', '"linux" in sys_platform',
    '"win" not in sys_platform', "sys_platform in 'linux darwin'", 'os_name == "nt"', 'os.name == "posix"',
    'sys.platform == "darwin"', 'platform_machine == "x86_64"', 'platform.machine == "arm64"',
    'platform_machine in "x86_64 AMD64"', 'platform_system == "Windows"', 'platform_system != "Linux"',
    'platform_python_implementation == "CPython"', 'python_implementation == "PyPy"',
    'platform.python_implementation != "PyPy"', 'implementation_name == "pypy"', 'platform_version >= "#"',
    '"Darwin" in platform_version', 'extra == "ldap"', 'extra == "Django_Extra"', "extra == 'django-extra'",
    '"django.extra" == extra', 'extra != "ldap"', 'sys_platform < "m"', 'os_name > "ab"',
    'python_version >= "3.8" and sys_platform == "linux"', 'sys_platform == "win32" or sys_platform == "darwin"',
    'sys_platform == "win32" or sys_platform == "darwin" and python_version >= "3.9"',
    '(sys_platform == "win32" or sys_platform == "darwin") and python_version >= "3.9"',
    'python_version < "3.9" or python_version >= "3.12" and platform_machine == "x86_64"',
    '(python_version < "3.9" or python_version >= "3.12") and (platform_machine == "x86_64" or os_name == "nt")',
    '((os_name == "posix"))', '(os_name == "posix") and (sys_platform != "linux")',
    'python_version>="3.8"and os_name=="posix"', "\tpython_version >= '3.8'  and  os_name == 'posix'  ",
    'implementation_name == "cpython" and python_version >= "3.8" and sys_platform != "win32" or extra == "x"',
    'platform_machine not in "aarch64 arm64"',
    # Invalid markers.
    '', 'python_version', 'python_version >=', 'python_version >= "3.8', 'foo == "1"', '(os_name == "a"',
    'os_name == "a" and', 'os_name notin "a"', 'os_name == "a" xor os_name == "b"', 'os_name = "a"',
    'os_name == "a")', 'and os_name == "a"', 'os_name == a', 'python_version >= 3.8', '"a" "b"',
]


def atom_keys_values(markers):
    """Yield (key, literal, op, literal_is_rhs) for each comparison."""
    for m in markers:
        if isinstance(m, list):
            yield from atom_keys_values(m)
        elif isinstance(m, tuple):
            lhs, op, rhs = m
            if isinstance(lhs, Variable):
                yield lhs.value, rhs, op.value, True
            else:
                yield rhs.value, lhs, op.value, False


def marker_result(marker, env):
    """Evaluate with packaging 24.1, or None where its rules differ from ours."""
    for key, lit, op, lit_is_rhs in atom_keys_values(marker._markers):
        if isinstance(lit, Variable):
            return None  # variable compared with variable: not in our vectors
        env_value = env.get(key, "")
        rhs = lit.value if lit_is_rhs else env_value
        lhs = env_value if lit_is_rhs else lit.value
        try:
            Specifier(op + rhs)
            is_spec = True
        except InvalidSpecifier:
            is_spec = False
        if key not in VERSION_VARIABLES and is_spec:
            return None  # packaging 24.1 would compare versions here
        if key in VERSION_VARIABLES and is_spec:
            try:
                Version(lhs)
            except InvalidVersion:
                return None  # packaging 24.1 raises; we fall back to strings
        if op in ("~=", "===") and not is_spec:
            return None  # undefined comparison: packaging raises, we say false
    try:
        return marker.evaluate(env)
    except Exception:  # noqa: BLE001 - any failure just leaves the vector out
        return None


def gen_markers():
    envs = environments()
    out = []
    for text in MARKERS:
        try:
            m = Marker(text)
        except InvalidMarker:
            out.append({"input": text, "valid": False})
            continue
        out.append({
            "input": text,
            "valid": True,
            "string": str(m),
            "results": {name: marker_result(m, env) for name, env in sorted(envs.items())},
        })
    return {"environments": envs, "markers": out}


REQUIREMENTS = [
    "django", "Django>=4.2", "simple_openid_connect[django]", "bleach[css]==6.1.0", "django-token-bucket>=0.2.2",
    "requests [security,socks] >= 2.8.1, == 2.8.*", "requests[Socks,SOCKS,security]>=2.8.1,<3",
    "eventlet (>=0.24.1) ; extra == 'eventlet'", "gunicorn ; extra == \"gevent\" and python_version >= '3.8'",
    "foo (==1.0)", "foo ( >= 1.0 , < 2 )", "foo(>=1.0)", "foo>=1.0;python_version<'3.8'",
    "foo >= 1.0 ; python_version < '3.8'", "name @ https://example.org/name-1.0.tar.gz",
    "name@https://example.org/name-1.0.tar.gz", "name @ https://example.org/n.zip ; os_name == 'posix'",
    "name @ https://example.org/n.zip; os_name == 'posix'", "name[extra] @ file:///tmp/n.whl",
    "Foo.Bar_baz-1", "a", "A-b", "foo_", "typing-extensions>=4.6.0,!=4.7.0", "pydantic-core==2.18.2",
    "tzdata; sys_platform == 'win32'", "backports.zoneinfo; python_version < \"3.9\"", "foo===1.0",
    "foo===weird-thing", "foo[]", "foo [ a , b ]", "  foo  ", "foo\t>=1.0", "foo==1.0.*", "foo!=1.0.*",
    "foo~=1.0", "foo==1.0+local", "foo>=1.0a1", "cryptography>=3.1; extra == 'Crypto_Extra'",
    "importlib-metadata>=4.6; python_version < '3.10'", "pywin32>=226; platform_system == \"Windows\"",
    # Invalid.
    "", ">=1.0", "foo.", "-foo", "foo bar", "foo>=1.0 bar", "foo[bar", "foo[bar,]", "foo[,bar]", "foo[bar baz]",
    "foo (>=1.0", "foo >=1.0)", "foo ~=1", "foo @", "foo; bar", "foo>=1.0;", "foo-", "foo>=1.*", "foo<1.0+local",
    "foo==1.0 ==2.0", "foo>=1.0,", "foo @ https://x.example/a.zip;os_name=='a' ; os_name=='b'", "foo==1.0 extra",
    "foo[bar]]", "foo ; python_version >= 3.8", "foo==", "foo===", "foo==abc",
]


def gen_requirements(bitpoll):
    inputs, seen = [], set()
    add_unique(inputs, seen, REQUIREMENTS)
    add_unique(inputs, seen, bitpoll)
    out = []
    for text in inputs:
        try:
            r = Requirement(text)
            parse_spec_set(str(r.specifier))
        except (InvalidRequirement, InvalidSpecifier, InvalidVersion):
            out.append({"input": text, "valid": False})
            continue
        out.append({
            "input": text,
            "valid": True,
            "name": r.name,
            "normalized": canonicalize_name(r.name),
            "extras": sorted({canonicalize_name(e) for e in r.extras}),
            "specifier": spec_canonical(str(r.specifier)),
            "url": r.url or "",
            "marker": str(r.marker) if r.marker else "",
        })
    return out


NAMES = [
    "Django", "django", "simple_openid_connect", "zope.interface", "A-_.-b", "typing-extensions",
    "Typing__Extensions...x", "python-dateutil", "Python.Dateutil", "x", "X", "1", "a.b", "a-", "-a", "a_",
    "_a", ".a", "a..b", "", "a b", "a/b", "foo--bar__baz..qux", "FOO", "pyASN1-Modules", "backports.zoneinfo",
    "ruamel.yaml.clib", "x_wr_timezone", "django-simple-csp", "a1-2_3.4", "0x", "-", "...", "a---", "Ab_C.D-E",
]


def gen_names():
    out = []
    for n in NAMES:
        valid = True
        try:
            canonicalize_name(n, validate=True)
        except Exception:  # noqa: BLE001 - InvalidName
            valid = False
        out.append({"input": n, "normalized": canonicalize_name(n), "valid": valid})
    return out


def write(name, data):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8") as f:
        if isinstance(data, list):
            # One vector per line keeps diffs readable.
            f.write("[\n")
            f.write(",\n".join(json.dumps(d, sort_keys=True, ensure_ascii=False) for d in data))
            f.write("\n]\n")
        else:
            # One key per line; lists of scalars or short lists stay compact.
            items = [json.dumps(k) + ": " + json.dumps(data[k], sort_keys=True, ensure_ascii=False)
                     for k in sorted(data)]
            f.write("{\n" + ",\n".join(items) + "\n}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bitpoll", default=os.path.join("pypi", "testdata", "reqfiles"),
                        help="directory with Bitpoll's requirements files")
    args = parser.parse_args()
    if not PACKAGING_VERSION.startswith("24."):
        sys.exit(f"pip vendors packaging {PACKAGING_VERSION}; these vectors are defined for 24.x")
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(SEED)
    versions = gen_version_strings(rng, bitpoll_versions(args.bitpoll))
    write("versions.json", [version_vector(s) for s in versions])
    write("version_order.json", gen_order(rng, versions))
    write("specifiers.json", gen_specifiers())
    write("markers.json", gen_markers())
    write("requirements.json", gen_requirements(bitpoll_requirements(args.bitpoll)))
    write("names.json", gen_names())
    write("meta.json", {"packaging": PACKAGING_VERSION, "seed": SEED, "generator": "scripts/gen-vectors.py"})


if __name__ == "__main__":
    main()
