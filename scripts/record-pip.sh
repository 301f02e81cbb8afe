#!/bin/sh
# Record what pip chooses for a scenario's loose requirements file on its
# synthetic fixture index, for resolver's differential test (which then runs
# without Python). Usage, from the module root:
#
#   scripts/record-pip.sh fixtures/scenarios/pip-diff
#   scripts/record-pip.sh fixtures/scenarios/bitpoll fixtures/index
#
# It serves <scenario>/index (or the index tree given second) with python3's http.server (the tree has the
# Simple API pages at simple/<name>/index.html and PEP 658 .metadata files
# beside the wheels), runs `pip install --dry-run --report` for CPython 3.12
# with wheels only, and writes <scenario>/pip-install.txt: one "name version"
# line per package pip would install, sorted by name.
set -eu
scenario=${1:?usage: $0 fixtures/scenarios/<name> [index-tree]}
index=${2:-"$scenario/index"}
reqs="$scenario/requirements.in"
test -d "$index" || { echo "$0: no $index (run go run ./fixtures/gen)" >&2; exit 1; }
test -f "$reqs" || { echo "$0: no $reqs" >&2; exit 1; }

tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$index" "$port" >"$tmp/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
# Wait for the server to accept connections.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/simple/')" 2>/dev/null && break
	sleep 0.3
done

PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install \
	--dry-run --ignore-installed --quiet --no-cache-dir \
	--report "$tmp/report.json" \
	--index-url "http://127.0.0.1:$port/simple" \
	--python-version 3.12 --only-binary=:all: --target "$tmp/target" \
	-r "$reqs"

python3 - "$tmp/report.json" "$scenario/pip-install.txt" <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
rows = sorted(
    (re.sub(r"[-_.]+", "-", i["metadata"]["name"]).lower(), i["metadata"]["version"])
    for i in report["install"]
)
with open(sys.argv[2], "w") as out:
    out.write("# Recorded by scripts/record-pip.sh with pip %s; do not edit.\n" % report.get("pip_version", "?"))
    for name, version in rows:
        out.write("%s %s\n" % (name, version))
PY
echo "wrote $scenario/pip-install.txt"
