#!/usr/bin/env bash
# Runs nix/bitpoll.nix's installPhase (as Nix renders it) in a scratch
# directory with a fake Python environment, then checks what the generated
# bitpoll-server, bitpoll-manage and bitpoll-local wrappers execute: the
# shell quoting inside a Nix string is easy to get wrong and only shows at
# run time. Needs nixpkgs' lib: NIXPKGS_LIB names a directory with
# lib/default.nix. Prints "ok NAME" / "FAIL NAME: …" lines.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

mkdir -p "$t/env/bin" "$t/out" "$t/src/bitpoll" "$t/src/locale" "$t/src/_static"
: >"$t/src/manage.py"
cat >"$t/env/bin/python" <<'PY'
#!/bin/sh
printf 'python'; printf ' <%s>' "$@"; printf ' %s\n' "$DJANGO_SETTINGS_MODULE"
PY
cat >"$t/env/bin/gunicorn" <<'GU'
#!/bin/sh
printf 'gunicorn'; printf ' <%s>' "$@"; printf '\n'
GU
chmod +x "$t/env/bin/python" "$t/env/bin/gunicorn"

if ! nix --extra-experimental-features nix-command eval --raw --impure --expr "
  let
    python = { override = _: python; withPackages = _: \"$t/env\"; };
  in
  (import $top/nix/bitpoll.nix {
    lib = import $NIXPKGS_LIB/lib;
    stdenvNoCC.mkDerivation = args: args;
    python312 = python;
    gettext = null;
    bash = \"$(dirname "$(dirname "$(command -v bash)")")\";
    coreutils = \"$(dirname "$(dirname "$(command -v mkdir)")")\";
    src = null;
    pythonPackagesOverlay = _: _: { };
  }).installPhase" >"$t/install.sh" 2>"$t/err"; then
  echo "FAIL wrappers: cannot render installPhase: $(cat "$t/err")"
  exit 0
fi
# compileall needs the real Python; the wrappers do not.
# substituteInPlace as stdenv's, for the --replace-fail it is given.
substituteInPlace() {
  local file=$1 content
  shift
  content=$(cat "$file")
  while [ $# -ge 3 ] && [ "$1" = --replace-fail ]; do
    [[ $content == *"$2"* ]] || return 1
    content=${content//"$2"/"$3"}
    shift 3
  done
  printf '%s\n' "$content" >"$file"
}
(cd "$t/src" && runHook() { :; } && python() { :; } && out="$t/out" && . "$t/install.sh") ||
  echo "FAIL wrappers: installPhase failed"

share="$t/out/share/bitpoll"
check() {
  local name=$1 want=$2
  shift 2
  local got
  got=$("$@" 2>&1)
  if [ "$got" = "$want" ]; then
    echo "ok $name"
  else
    echo "FAIL $name: want [$want] got [$got]"
  fi
}

check server-default "gunicorn <--chdir> <$share> <--bind> <127.0.0.1:8000> <bitpoll.wsgi:application>" \
  env -u BITPOLL_LISTEN "$t/out/bin/bitpoll-server"
check server-env "gunicorn <--chdir> <$share> <--bind> <0.0.0.0:80> <bitpoll.wsgi:application>" \
  env BITPOLL_LISTEN=0.0.0.0:80 "$t/out/bin/bitpoll-server"
check server-flag "gunicorn <--chdir> <$share> <--bind> <[::1]:9000> <--workers> <3> <bitpoll.wsgi:application>" \
  env BITPOLL_LISTEN=0.0.0.0:80 "$t/out/bin/bitpoll-server" --listen '[::1]:9000' --workers 3
check server-flag-equals "gunicorn <--chdir> <$share> <--bind> <unix:/run/b.sock> <bitpoll.wsgi:application>" \
  "$t/out/bin/bitpoll-server" --listen=unix:/run/b.sock
check manage-arguments "python <$share/manage.py> <createsuperuser> <--username> <a b> bitpoll.settings" \
  "$t/out/bin/bitpoll-manage" createsuperuser --username "a b"
check installed-tree "_static bitpoll locale manage.py" sh -c "cd \"$share\" && echo *"

# bitpoll-local: keys prepared in the state directory, migrations and the
# key check first, then the server, with the address printed.
state="$t/state"
settings=$(grep -o '/nix/store/[^"}]*bitpoll-local-settings.json' "$t/out/bin/bitpoll-local")
check local-run "bitpoll: generated $state/keys/secret_key
bitpoll: generated $state/keys/encryption_key
python <$share/manage.py> <migrate> <--noinput> bitpoll.settings
python <$share/manage.py> <check_encryption_key> bitpoll.settings
Bitpoll: http://127.0.0.1:8123/ (state in $state; Ctrl-C stops it)
gunicorn <--chdir> <$share> <--bind> <127.0.0.1:8123> <--workers> <2> <bitpoll.wsgi:application>" \
  env BITPOLL_STATE_DIR="$state" "$t/out/bin/bitpoll-local" --listen 127.0.0.1:8123 --workers 2
check local-keys "400 400" sh -c "stat -c %a \"$state/keys/secret_key\" \"$state/keys/encryption_key\" | tr '\n' ' ' | sed 's/ $//'"
check local-settings-file "1" sh -c "echo ${settings:+1}"
check local-default-state "http://127.0.0.1:8000/ (state in $t/xdg/bitpoll; Ctrl-C stops it)" \
  sh -c "env -u BITPOLL_STATE_DIR -u BITPOLL_LISTEN XDG_STATE_HOME=\"$t/xdg\" \"$t/out/bin/bitpoll-local\" 2>/dev/null | sed -n 's/^Bitpoll: //p'"
