# Bitpoll, built purely: Python 3.12 from nixpkgs with the generated package
# overlay, static files and translations compiled at build time, and two
# wrappers, bitpoll-manage (every Django management command) and
# bitpoll-server (gunicorn).
{
  lib,
  stdenvNoCC,
  python312,
  gettext,
  bash,
  # Bitpoll's source tree (the flake's pinned `bitpoll` input).
  src,
  # A Python package-set overlay `final: prev: { … }`: the generated
  # python-packages.nix.
  pythonPackagesOverlay,
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

  pythonEnv = python.withPackages (ps: dependencies ps ++ [ ps.gunicorn ]);
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

    chmod +x "$out/bin/bitpoll-manage" "$out/bin/bitpoll-server"

    runHook postInstall
  '';

  passthru = {
    inherit python pythonEnv dependencies;
    staticRoot = "share/bitpoll/_static";
  };

  meta = {
    description = "Web application for scheduling meetings and general polling";
    homepage = "https://github.com/fsinfuhh/Bitpoll";
    license = lib.licenses.gpl3Only;
    mainProgram = "bitpoll-server";
    platforms = lib.platforms.linux;
  };
}
