#!/usr/bin/env bash
# Tests of nix/prepare-keys.sh in a scratch directory: keys generated once
# and kept, given files win, and a changed encryption key is refused.
# Prints "ok NAME" / "FAIL NAME: …" lines.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
prepare="$top/nix/prepare-keys.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# check NAME 'CONDITION': CONDITION is a shell list, evaluated as a whole.
check() {
  if eval "$2"; then echo "ok $1"; else echo "FAIL $1: $2"; fi
}
mode() { stat -c %a "$1"; }

keys="$t/state/keys"
"$prepare" "$keys" 2>"$t/log1"
first=$?
secret=$(cat "$keys/secret_key" 2>/dev/null)
encryption=$(cat "$keys/encryption_key" 2>/dev/null)
check generates-both '[ "$first" -eq 0 ] && [ -n "$secret" ] && [ -n "$encryption" ]'
check owner-only '[ "$(mode "$keys")" = 700 ] && [ "$(mode "$keys/secret_key")" = 400 ] &&
  [ "$(mode "$keys/encryption_key")" = 400 ] && [ "$(mode "$keys/encryption_key.sha256")" = 400 ]'
# A Fernet key: 32 bytes in url-safe base64.
check fernet-key '[ "$(printf '\''%s'\'' "$encryption" | tr -- '\''-_'\'' '\''+/'\'' | base64 -d 2>/dev/null | wc -c)" -eq 32 ] &&
  [ "${#encryption}" -eq 44 ]'
check secret-key-length '[ "$(printf '\''%s'\'' "$secret" | tr -- '\''-_'\'' '\''+/'\'' | base64 -d 2>/dev/null | wc -c)" -eq 48 ]'
check fingerprint-recorded '[ "$(cat "$keys/encryption_key.sha256")" = "$(printf '\''%s'\'' "$encryption" | sha256sum | cut -d'\'' '\'' -f1)" ]'
check says-generated 'grep -q "generated $keys/encryption_key" "$t/log1"'

"$prepare" "$keys" 2>/dev/null
status=$?
check kept-on-restart '[ $status -eq 0 ] && [ "$(cat "$keys/secret_key")" = "$secret" ] &&
  [ "$(cat "$keys/encryption_key")" = "$encryption" ]'

# The same key given as a file (with the newline `echo` adds) is accepted.
printf '%s\n' "$encryption" >"$t/same"
"$prepare" "$keys" "" "$t/same" 2>/dev/null
status=$?
check same-key-from-file '[ $status -eq 0 ]'

# A different key given later is refused, with an explanation.
printf '%s\n' "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" >"$t/other"
"$prepare" "$keys" "" "$t/other" 2>"$t/log2"
status=$?
check changed-key-refused '[ "$status" -eq 1 ]'
check changed-key-explained 'grep -q "FIELD_ENCRYPTION_KEY changed" "$t/log2"'
check changed-key-names-record 'grep -q "$keys/encryption_key.sha256" "$t/log2"'

# A lost generated key is regenerated, then refused.
rm -f "$keys/encryption_key"
"$prepare" "$keys" 2>/dev/null
status=$?
check lost-key-refused '[ $status -eq 1 ]'

# Given files win: nothing is generated for them.
fresh="$t/fresh"
printf 'given-secret\n' >"$t/secret"
"$prepare" "$fresh" "$t/secret" "$t/other" 2>/dev/null
status=$?
check given-files-win '[ $status -eq 0 ] && [ ! -e "$fresh/secret_key" ] && [ ! -e "$fresh/encryption_key" ] &&
  [ -s "$fresh/encryption_key.sha256" ]'

"$prepare" "$t/x" "$t/absent" 2>"$t/log3"
status=$?
check missing-given-file '[ $status -eq 2 ] && grep -q "$t/absent" "$t/log3"'
"$prepare" 2>/dev/null
status=$?
check usage '[ $status -eq 2 ]'
