#!/usr/bin/env bash
# Prepares Bitpoll's two keys in a directory only its owner can read, and
# guards the encryption key.
#
#   prepare-keys.sh KEYS_DIR [SECRET_KEY_FILE] [ENCRYPTION_KEY_FILE]
#
# A key file given (non-empty argument) wins. A key not given is generated
# once into KEYS_DIR (secret_key: 48 random bytes; encryption_key: a Fernet
# key, 32 random bytes in url-safe base64) and kept from then on.
# The SHA-256 of the encryption key first used is recorded in
# KEYS_DIR/encryption_key.sha256; when the key in use differs from it (a key
# file added or changed later, a generated key lost), this exits 1 with an
# explanation instead of letting Bitpoll start: the fields it encrypted with
# the first key would become unreadable.
# Needs coreutils only. Exit codes: 0 ready, 1 key changed, 2 usage or I/O.
set -euo pipefail
umask 077

if [ $# -lt 1 ] || [ $# -gt 3 ] || [ -z "$1" ]; then
  echo "usage: prepare-keys.sh KEYS_DIR [SECRET_KEY_FILE] [ENCRYPTION_KEY_FILE]" >&2
  exit 2
fi
dir=$1
given_secret=${2:-}
given_encryption=${3:-}

mkdir -p "$dir"
chmod 0700 "$dir"

# Writes stdin to $1 atomically: a crash never leaves a half-written key.
write_new() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  chmod 0400 "$tmp"
  mv "$tmp" "$1"
}

generate() {
  local file=$1 bytes=$2
  [ -s "$file" ] && return
  head -c "$bytes" /dev/urandom | base64 -w0 | tr '+/' '-_' | write_new "$file"
  echo "bitpoll: generated $file" >&2
}

key_file() {
  local given=$1 name=$2 bytes=$3
  if [ -n "$given" ]; then
    if [ ! -r "$given" ] || [ ! -s "$given" ]; then
      echo "bitpoll: $name file $given is missing, empty or unreadable" >&2
      exit 2
    fi
    echo "$given"
  else
    generate "$dir/$name" "$bytes"
    echo "$dir/$name"
  fi
}

key_file "$given_secret" secret_key 48 >/dev/null
encryption=$(key_file "$given_encryption" encryption_key 32)

# Whitespace is not part of a key (settings_local.py strips it too).
fingerprint=$(tr -d ' \t\r\n' <"$encryption" | sha256sum | cut -d' ' -f1)
record="$dir/encryption_key.sha256"
if [ ! -s "$record" ]; then
  echo "$fingerprint" | write_new "$record"
  exit 0
fi
recorded=$(tr -d ' \t\r\n' <"$record")
if [ "$recorded" != "$fingerprint" ]; then
  cat >&2 <<MSG
bitpoll: refusing to start: FIELD_ENCRYPTION_KEY changed.
  This instance first used a key with SHA-256 $recorded
  (recorded in $record);
  the key now in use ($encryption) has SHA-256 $fingerprint.
  Data encrypted with the first key (CalDAV calendar URLs) would become
  unreadable. Put the first key back (services.bitpoll.encryptionKeyFile, or
  the generated $dir/encryption_key from a backup). Only if the data encrypted
  with it is gone or expendable, delete $record to accept the new key.
MSG
  exit 1
fi
