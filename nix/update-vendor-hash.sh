#!/usr/bin/env bash
# Computes buildGoModule's vendorHash for nix/pip2nix-bitpoll.nix offline
# (from the Go module cache or proxy, without a Nix build) and writes it in.
#
#   nix/update-vendor-hash.sh          rewrite the vendorHash line
#   nix/update-vendor-hash.sh --check  exit 1 when the committed value is stale
#
# The hash is that of the directory `go mod vendor` produces, which is what
# buildGoModule's goModules derivation hashes. Run it whenever go.mod or
# go.sum (or the set of imported packages) change. It reads the files git
# tracks as they are in the work tree, so commit go.mod, go.sum and the new
# hash together: CI checks the committed state.
set -euo pipefail

mode=write
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nixfile="$top/nix/pip2nix-bitpoll.nix"

tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# A copy, so vendoring never touches the checkout; of the files git tracks,
# as a flake build sees them (untracked work in progress is left out).
git -C "$top" ls-files -z | grep -zv '^vendor/' | tar -C "$top" --null -T - -cf - | tar -C "$tmp" -xf -
(cd "$tmp" && GOFLAGS=-mod=mod go mod vendor)

if [ -d "$tmp/vendor" ]; then
  want=$(nix --extra-experimental-features nix-command hash path --type sha256 "$tmp/vendor")
  want="\"$want\""
else
  # No dependencies: buildGoModule wants null rather than a hash.
  want=null
fi

have=$(sed -n 's/^ *vendorHash = \(.*\);$/\1/p' "$nixfile")
if [ -z "$have" ]; then
  echo "$nixfile: no 'vendorHash = …;' line" >&2
  exit 1
fi

if [ "$have" = "$want" ]; then
  echo "vendorHash is up to date: $want"
  exit 0
fi

if [ "$mode" = check ]; then
  echo "$nixfile: vendorHash is stale: have $have, want $want (run nix/update-vendor-hash.sh)" >&2
  exit 1
fi

sed -i "s|^\( *vendorHash = \).*;\$|\1$want;|" "$nixfile"
echo "vendorHash updated: $have -> $want"
