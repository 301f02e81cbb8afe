# Bitpoll, built purely: Python 3.12 from nixpkgs with the generated package
# overlay (applied to this package's own Python only), static files and
# translations compiled at build time (the build fails when a bundle is
# missing), and three wrappers: bitpoll-manage (every Django management
# command), bitpoll-server (gunicorn) and bitpoll-local (a local instance for
# a first look, what `nix run` starts).
{
  lib,
  stdenvNoCC,
  python312,
  gettext,
  bash,
  coreutils,
  # Bitpoll's source tree (the flake's pinned `bitpoll` input).
  src,
  # A Python package-set overlay `final: prev: { … }`: the generated
  # python-packages.nix.
  pythonPackagesOverlay,
  # More Python packages for Bitpoll's environment, e.g. an authentication
  # backend named in the settings: `ps: [ ps.django-allauth ]`. Set with
  # `bitpoll.override { extraPythonPackages = …; }` or the NixOS module's
  # services.bitpoll.extraPythonPackages.
  extraPythonPackages ? _: [ ],
}:
let
  python = python312.override {
    self = python;
    packageOverrides = pythonPackagesOverlay;
  };

  # Bitpoll's requirements.in and requirements-production.in, by PEP 503
  # name; psycopg2-binary is nixpkgs' psycopg2 (the same module, built from
  # source instead of a bundled wheel).
  dependencies =
    ps:
    [
      ps.caldav
      ps.django
      ps.django-auth-ldap
      ps.django-encrypted-model-fields
      ps.django-friendly-tag-loader
      ps.django-markdownify
      ps.django-pipeline
      ps.django-simple-csp
      ps.django-token-bucket
      ps.django-widget-tweaks
      ps.icalendar
      ps.libsasscompiler
      ps.psycopg2
      ps.pytz
      ps.sentry-sdk
      ps.simple-openid-connect
    ]
    # simple_openid_connect[django]
    ++ ps.simple-openid-connect.optional-dependencies.django or [ ];

  pythonEnv = python.withPackages (ps: dependencies ps ++ [ ps.gunicorn ] ++ extraPythonPackages ps);

  # Settings of the local instance bitpoll-local starts; Bitpoll's defaults
  # otherwise (BITPOLL_SETTINGS_FILE replaces this file).
  localSettings = builtins.toFile "bitpoll-local-settings.json" (
    builtins.toJSON {
      ROOT_URLCONF = "bitpoll.local_urls";
      ALLOWED_HOSTS = [
        "localhost"
        "127.0.0.1"
        "[::1]"
      ];
    }
  );
in
stdenvNoCC.mkDerivation {
  pname = "bitpoll";
  # Bitpoll has no releases; the date is that of the pinned commit 4a3e6a5.
  version = "0-unstable-2024-11-23";

  inherit src;

  nativeBuildInputs = [
    gettext
    pythonEnv
  ];

  buildPhase = ''
    runHook preBuild

    install -m 0644 ${./settings_local.py} bitpoll/settings_local.py
    install -m 0644 ${./local_urls.py} bitpoll/local_urls.py
    install -D -m 0644 ${./check_encryption_key.py} \
      bitpoll/base/management/commands/check_encryption_key.py

    # collectstatic and compilemessages import the settings, which insist on
    # the secrets: give them throwaway ones. Nothing built here depends on
    # them, no database is opened.
    export HOME="$TMPDIR"
    export BITPOLL_STATE_DIR="$TMPDIR"
    printf '%s' build-time-only-not-a-secret > "$TMPDIR/secret_key"
    python -c 'import base64; print(base64.urlsafe_b64encode(bytes(32)).decode())' > "$TMPDIR/encryption_key"
    export BITPOLL_SECRET_KEY_FILE="$TMPDIR/secret_key"
    export BITPOLL_ENCRYPTION_KEY_FILE="$TMPDIR/encryption_key"
    export DJANGO_SETTINGS_MODULE=bitpoll.settings

    # django-pipeline compiles the SCSS with libsass (in-process, no node).
    python manage.py collectstatic --noinput --verbosity 1
    # Every bundle Bitpoll's templates link (css/base.css, …) and the
    # manifest must be there; else the build fails here, not the site.
    python ${./check_static.py}
    python manage.py compilemessages --verbosity 1

    runHook postBuild
  '';

  installPhase = ''
    runHook preInstall

    share="$out/share/bitpoll"
    mkdir -p "$share" "$out/bin"
    cp -r manage.py bitpoll locale _static "$share/"
    # Hash-checked bytecode: the store resets mtimes, so timestamp-checked
    # .pyc files would look stale and Python would try to rewrite them.
    python -m compileall -q --invalidation-mode unchecked-hash "$share/bitpoll"

    cat > "$out/bin/bitpoll-manage" <<EOF
    #!${bash}/bin/bash
    # Runs a Django management command of Bitpoll (Django's and Bitpoll's own).
    export DJANGO_SETTINGS_MODULE=bitpoll.settings
    export PYTHONDONTWRITEBYTECODE=1
    exec ${pythonEnv}/bin/python "$share/manage.py" "\$@"
    EOF

    cat > "$out/bin/bitpoll-server" <<EOF
    #!${bash}/bin/bash
    # Serves Bitpoll with gunicorn.
    # Usage: bitpoll-server [--listen HOST:PORT] [gunicorn options...]
    # The address defaults to \$BITPOLL_LISTEN, else 127.0.0.1:8000.
    listen="\''${BITPOLL_LISTEN:-127.0.0.1:8000}"
    case "\''${1:-}" in
      --listen) listen="\$2"; shift 2 ;;
      --listen=*) listen="\''${1#--listen=}"; shift ;;
    esac
    export DJANGO_SETTINGS_MODULE=bitpoll.settings
    export PYTHONDONTWRITEBYTECODE=1
    exec ${pythonEnv}/bin/gunicorn --chdir "$share" --bind "\$listen" "\$@" bitpoll.wsgi:application
    EOF

    install -D -m 0755 ${./prepare-keys.sh} "$out/libexec/bitpoll/prepare-keys"
    substituteInPlace "$out/libexec/bitpoll/prepare-keys" \
      --replace-fail "#!/usr/bin/env bash" "#!${bash}/bin/bash"

    cat > "$out/bin/bitpoll-local" <<EOF
    #!${bash}/bin/bash
    # Starts a local Bitpoll for a first look, with nothing prepared: state
    # in \$BITPOLL_STATE_DIR, else \''${XDG_STATE_HOME:-~/.local/state}/bitpoll
    # (SQLite database, media, and the two keys, generated there once);
    # migrations first; static files served by Django.
    # Usage: bitpoll-local [--listen HOST:PORT] [gunicorn options...]
    set -euo pipefail
    export PATH="${coreutils}/bin:\$PATH"
    listen="\''${BITPOLL_LISTEN:-127.0.0.1:8000}"
    case "\''${1:-}" in
      --listen) listen="\$2"; shift 2 ;;
      --listen=*) listen="\''${1#--listen=}"; shift ;;
    esac
    state="\''${BITPOLL_STATE_DIR:-\''${XDG_STATE_HOME:-\$HOME/.local/state}/bitpoll}"
    mkdir -p "\$state"
    "$out/libexec/bitpoll/prepare-keys" "\$state/keys"
    export BITPOLL_STATE_DIR="\$state"
    export BITPOLL_SECRET_KEY_FILE="\$state/keys/secret_key"
    export BITPOLL_ENCRYPTION_KEY_FILE="\$state/keys/encryption_key"
    export BITPOLL_SETTINGS_FILE="\''${BITPOLL_SETTINGS_FILE:-${localSettings}}"
    "$out/bin/bitpoll-manage" migrate --noinput
    "$out/bin/bitpoll-manage" check_encryption_key
    echo "Bitpoll: http://\$listen/ (state in \$state; Ctrl-C stops it)"
    exec "$out/bin/bitpoll-server" --listen "\$listen" "\$@"
    EOF

    chmod +x "$out/bin/bitpoll-manage" "$out/bin/bitpoll-server" "$out/bin/bitpoll-local"

    runHook postInstall
  '';

  passthru = {
    inherit
      python
      pythonEnv
      dependencies
      localSettings
      ;
    staticRoot = "share/bitpoll/_static";
  };

  meta = {
    description = "Web application for scheduling meetings and general polling";
    homepage = "https://github.com/fsinfuhh/Bitpoll";
    license = lib.licenses.gpl3Only;
    mainProgram = "bitpoll-server";
    # python-ldap, psycopg2 and libsass build on both in nixpkgs; only the
    # NixOS module is Linux-only.
    platforms = lib.platforms.linux ++ lib.platforms.darwin;
  };
}
