#!/usr/bin/env python3
"""Derive fixtures/scenarios/bitpoll-wheels/spec.toml from the Bitpoll
fixture spec (fixtures/spec/bitpoll.toml) by giving every project a pure
wheel with PEP 658 metadata, so pip can resolve Bitpoll's requirements.in
wheels-only for the resolver's differential test. Run from the module root,
then `go run ./fixtures/gen` and scripts/record-pip.sh
fixtures/scenarios/bitpoll-wheels."""
import re

HEADER = """# Derived from fixtures/spec/bitpoll.toml (synthetic Bitpoll fixture index)
# by scripts/bitpoll-wheels-spec.py: every release has a pure wheel with PEP
# 658 metadata, so pip can resolve Bitpoll's requirements.in with
# --only-binary=:all: for the resolver's differential test. Do not edit.
"""

out = [HEADER]
with open("fixtures/spec/bitpoll.toml") as f:
    for line in f.read().split("\n"):
        if re.match(r"\s*wheel\s*=", line):
            continue
        out.append(line)
        if re.match(r"\s*name\s*=", line):
            out.append("wheel = true")
with open("fixtures/scenarios/bitpoll-wheels/spec.toml", "w") as f:
    f.write("\n".join(out))
