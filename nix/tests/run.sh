#!/usr/bin/env bash
# Offline checks of the Nix side, for CI (Nix 2.8, no nixpkgs, no network):
#   1. every .nix file of the repository parses;
#   2. nix/update-vendor-hash.sh --check (when go and a module cache or the
#      module proxy are at hand; skipped otherwise, unless required), and
#      every directory holding .go files is in the package's source
#      (nix/go-source.nix);
#   3. the Python and shell helpers the package and the module ship
#      (settings_local.py, check_static.py, check_encryption_key.py with
#      python3; prepare-keys.sh);
#   4. with nixpkgs' lib (NIXPKGS_LIB names a directory holding
#      lib/default.nix: a nixpkgs checkout, or nixpkgs' lib alone):
#      module-tests.nix on nixpkgs' real module system, Bitpoll's
#      dependency list against its requirements .in files (from
#      fixtures/bitpoll or BITPOLL_REQUIREMENTS_DIR), the wrappers as the
#      package writes them, the units' exposure score (systemd-analyze
#      security --offline, where systemd has it), and flake.nix's outputs
#      with its inputs overridden by local stubs. Without NIXPKGS_LIB these
#      are skipped, saying so; `nix flake check` runs module-tests.nix on
#      the flake's own nixpkgs too.
# Prints one line per check and "N passed, N failed" last; exits non-zero
# on any failure. Without Nix it skips everything, and fails when
# PIP2NIX_REQUIRE_NIX=1.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tests="$top/nix/tests"
passed=0
failed=0

pass() {
  echo "ok $1"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL $1"
  failed=$((failed + 1))
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

if ! command -v nix-instantiate >/dev/null || ! command -v nix >/dev/null; then
  if [ "${PIP2NIX_REQUIRE_NIX:-0}" = 1 ]; then
    fail "nix-instantiate and nix are required (PIP2NIX_REQUIRE_NIX=1) but not installed"
  else
    echo "skip: Nix is not installed (set PIP2NIX_REQUIRE_NIX=1 to make this an error)"
  fi
  finish
fi

nixcmd=(nix --extra-experimental-features "nix-command flakes")
scratch_units=$(mktemp -d)

# A report is "ok NAME" / "FAIL NAME: …" lines (with indented details).
count_report() {
  local label=$1 out=$2 status=$3
  if [ "$status" -ne 0 ] || [ -z "$out" ]; then
    fail "$label: evaluation failed"
    return
  fi
  while IFS= read -r line; do
    case "$line" in
      "ok "*) pass "$label: ${line#ok }" ;;
      "FAIL "*) fail "$label: ${line#FAIL }" ;;
      *) echo "$line" ;;
    esac
  done <<<"$out"
}

# 1. Every .nix file parses: those git tracks (what CI's clone has), or
# all of them outside a git checkout.
list_nix_files() {
  if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$top" ls-files -z '*.nix'
  else
    (cd "$top" && find . -name '*.nix' -print0 | sed -z 's|^\./||')
  fi
}
while IFS= read -r -d '' f; do
  if err=$(nix-instantiate --parse "$top/$f" 2>&1 >/dev/null); then
    pass "parse $f"
  else
    fail "parse $f: $err"
  fi
done < <(list_nix_files | sort -z)

# 2. vendorHash matches go.sum.
if command -v go >/dev/null && [ "${PIP2NIX_SKIP_VENDOR_HASH:-0}" != 1 ]; then
  if out=$("$top/nix/update-vendor-hash.sh" --check 2>&1); then
    pass "vendorHash: ${out##*: }"
  else
    fail "vendorHash: $(echo "$out" | tail -n1)"
  fi
else
  echo "skip: vendorHash check (no go, or PIP2NIX_SKIP_VENDOR_HASH=1)"
fi

# 2b. The package's Go source (nix/go-source.nix) holds every .go file:
# a Go package outside it would not compile in `nix build`.
list_go_dirs() {
  if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$top" ls-files '*.go'
  else
    (cd "$top" && find . -name '*.go' -not -path './.git/*' | sed 's|^\./||')
  fi | awk -F/ '{ print (NF == 1 ? "." : $1) }' | sort -u
}
if dirs=$(nix-instantiate --eval --strict --json -E \
  "(import $top/nix/go-source.nix { root = $top; }).directories" 2>&1); then
  missing=()
  while IFS= read -r d; do
    case "$dirs" in
      *"\"$d\""*) ;;
      *) missing+=("$d") ;;
    esac
  done < <(list_go_dirs)
  if [ ${#missing[@]} -eq 0 ]; then
    pass "go source: every directory holding .go files is in nix/go-source.nix's set"
  else
    fail "go source: .go files outside the package's source (nix/go-source.nix): ${missing[*]}"
  fi
else
  fail "go source: cannot evaluate nix/go-source.nix: $dirs"
fi

# 3. The helpers, without Nix's evaluator.
count_report "prepare-keys" "$("$tests/prepare-keys-test.sh" 2>&1)" 0
if command -v python3 >/dev/null; then
  for t in settings_local check_static check_encryption_key; do
    if out=$(python3 "$tests/${t}_test.py" 2>&1); then
      pass "$t: $(echo "$out" | grep -E '^Ran ' | head -n1)$(echo "$out" | grep -oE ' \(skipped=[0-9]+\)' | head -n1)"
    else
      fail "$t:
$out"
    fi
  done
else
  echo "skip: Python helper tests (no python3)"
fi

# 4. Everything that evaluates Nix code of the repository needs nixpkgs'
# lib: the module system, lib.types, lib.fileset.
lib=""
if [ -n "${NIXPKGS_LIB:-}" ]; then
  if [ -f "$NIXPKGS_LIB/lib/default.nix" ]; then
    lib="$NIXPKGS_LIB/lib"
    export NIXPKGS_LIB
  else
    fail "NIXPKGS_LIB=$NIXPKGS_LIB has no lib/default.nix"
  fi
else
  echo "skip: module, dependency, wrapper, exposure and flake tests: they need nixpkgs' lib;" \
    "set NIXPKGS_LIB to a nixpkgs checkout (or nixpkgs' lib alone); \`nix flake check\` runs the module tests too"
fi

if [ -n "$lib" ]; then
  version=$("${nixcmd[@]}" eval --impure --raw --expr "(import $lib).version" 2>/dev/null)
  out=$("${nixcmd[@]}" eval --raw -f "$tests/module-tests.nix" report --arg lib "import $lib" 2>&1)
  count_report "module-tests [nixpkgs lib $version]" "$out" $?

  # Bitpoll's requirements files at the pinned commit are bundled in
  # fixtures/bitpoll; the dependency list is checked against them.
  requirements_dir=${BITPOLL_REQUIREMENTS_DIR:-$top/fixtures/bitpoll}
  if [ -f "$requirements_dir/requirements.in" ] && [ -f "$requirements_dir/requirements-production.in" ]; then
    out=$("${nixcmd[@]}" eval --raw -f "$tests/dependencies-tests.nix" report --arg lib "import $lib" --arg requirements \
      "[ $requirements_dir/requirements.in $requirements_dir/requirements-production.in ]" 2>&1)
    count_report "dependencies" "$out" $?
  else
    echo "skip: dependency list check (no Bitpoll requirements .in files in $requirements_dir)"
  fi

  # The package's wrappers, without building.
  count_report "wrappers" "$("$tests/wrappers.sh" 2>&1)" 0

  # The units' exposure as systemd scores it (`systemd-analyze security`
  # works offline on unit files since systemd 250): below 2.0, as the VM
  # test also asserts on a real NixOS.
  if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
    for unit in bitpoll bitpoll-migrate bitpoll-maintenance; do
      file="$scratch_units/$unit.service"
      if ! "${nixcmd[@]}" eval --raw -f "$tests/unit.nix" text --arg lib "import $lib" --argstr unit "$unit" >"$file" 2>"$file.err"; then
        fail "exposure $unit: cannot render the unit: $(cat "$file.err")"
        continue
      fi
      out=$(systemd-analyze security --offline=true --threshold=19 "$file" 2>&1)
      status=$?
      level=$(echo "$out" | sed -n 's/.*exposure level for [^:]*: \([0-9.]*\).*/\1/p')
      if [ "$status" -eq 0 ] && [ -n "$level" ]; then
        pass "exposure $unit: $level (systemd-analyze security --offline, below 2.0)"
      else
        fail "exposure $unit: ${level:-unknown} (must be below 2.0)"
      fi
    done
  else
    echo "skip: exposure check (systemd-analyze without --offline)"
  fi
fi

# flake.nix's outputs with stub inputs: a copy of the flake's tracked files
# (with the generated python-packages.nix, or the synthetic stand-in before
# it exists) locked to a stub nixpkgs (nixpkgs' lib, stub packages) and an
# empty Bitpoll tree, in a scratch directory so nothing is written to the
# checkout.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch" "$scratch_units"' EXIT

flake_check() {
  local label=$1 libdir=$2 d="$scratch/$1" out
  mkdir -p "$d/flake" "$d/nixpkgs" "$d/bitpoll"
  if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$top" ls-files -z | tar -C "$top" --null -T - -cf - | tar -C "$d/flake" -xf -
  else
    (cd "$top" && tar --exclude=./.git -cf - .) | tar -C "$d/flake" -xf -
  fi
  rm -f "$d/flake/flake.lock"
  [ -f "$d/flake/python-packages.nix" ] ||
    cp "$tests/python-packages-standin.nix" "$d/flake/python-packages.nix"
  cp "$tests/flake-stub/flake.nix" "$d/nixpkgs/"
  cp -r "$tests/stubs" "$d/nixpkgs/"
  cp -r "$libdir" "$d/nixpkgs/nixpkgs-lib"
  : >"$d/bitpoll/requirements.txt"
  : >"$d/bitpoll/requirements-production.txt"

  if out=$("${nixcmd[@]}" flake lock "path:$d/flake" \
    --override-input nixpkgs "path:$d/nixpkgs" \
    --override-input bitpoll "path:$d/bitpoll" 2>&1) &&
    # Nix 2.8 records the overridden non-flake input's `original` as the
    # override, so the lock would look stale and Nix would try to fetch the
    # real source: put back flake.nix's reference.
    out=$("${nixcmd[@]}" eval --impure --raw --expr "
      let
        lock = builtins.fromJSON (builtins.readFile $d/flake/flake.lock);
        original = (import $d/flake/flake.nix).inputs.bitpoll.url;
        parts = builtins.match \"github:([^/]+)/([^/]+)/([0-9a-f]+)\" original;
      in
      builtins.toJSON (lock // {
        nodes = lock.nodes // {
          bitpoll = lock.nodes.bitpoll // {
            original = {
              type = \"github\";
              owner = builtins.elemAt parts 0;
              repo = builtins.elemAt parts 1;
              rev = builtins.elemAt parts 2;
            };
          };
        };
      })" 2>&1) &&
    printf '%s' "$out" >"$d/flake/flake.lock"; then
    out=$("${nixcmd[@]}" eval --impure --raw --expr "
      let flake = builtins.getFlake \"path:$d/flake\"; in
      (import $tests/flake-tests.nix { inherit flake; lib = flake.inputs.nixpkgs.lib; }).report" 2>&1)
    count_report "flake [$label]" "$out" $?
    [ -n "${PIP2NIX_DEBUG:-}" ] && echo "$out" >&2
  else
    fail "flake [$label]: cannot lock to the stub inputs: $out"
  fi
}

if [ -n "$lib" ]; then
  flake_check nixpkgs-lib "$lib"
fi

finish
