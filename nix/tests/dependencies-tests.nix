# Bitpoll's runtime dependencies in nix/bitpoll.nix against Bitpoll's own
# requirements files (.in: the top-level names): every requirement has its
# attribute, and nothing else is listed. PEP 503 names; psycopg2-binary is
# nixpkgs' psycopg2. Same report format as module-tests.nix.
{
  # Paths of Bitpoll's requirements.in and requirements-production.in.
  requirements,
  lib,
}:
let
  characters = s: builtins.genList (i: builtins.substring i 1 s) (builtins.stringLength s);
  lowercase = builtins.replaceStrings (characters "ABCDEFGHIJKLMNOPQRSTUVWXYZ") (
    characters "abcdefghijklmnopqrstuvwxyz"
  );
  # PEP 503: lowercase, runs of -_. become one -.
  normalize =
    name:
    lib.concatStringsSep "-" (
      builtins.filter (p: builtins.isString p && p != "") (builtins.split "[-_.]+" (lowercase name))
    );

  namesIn =
    file:
    builtins.concatMap (
      line:
      let
        m = builtins.match "[[:space:]]*([A-Za-z0-9][A-Za-z0-9._-]*).*" line;
      in
      if builtins.isString line && m != null && builtins.match "[[:space:]]*[-#].*" line == null then
        [ (normalize (builtins.head m)) ]
      else
        [ ]
    ) (builtins.split "\n" (builtins.readFile file));

  nixpkgsName = name: if name == "psycopg2-binary" then "psycopg2" else name;
  wanted = lib.unique (map nixpkgsName (builtins.concatMap namesIn requirements));

  # A package set holding exactly the wanted attributes; the extra
  # simple_openid_connect[django] is read from optional-dependencies.
  ps = builtins.listToAttrs (
    map (name: {
      inherit name;
      value = {
        pname = name;
      }
      // lib.optionalAttrs (name == "simple-openid-connect") {
        optional-dependencies.django = [ ];
      };
    }) wanted
  );

  package = import ../bitpoll.nix {
    inherit lib;
    stdenvNoCC.mkDerivation = args: args;
    python312.override = _: {
      withPackages = _: "/python-env";
    };
    gettext = null;
    bash = null;
    coreutils = null;
    src = null;
    pythonPackagesOverlay = _: _: { };
  };

  listed = map (p: p.pname) (package.passthru.dependencies ps);
  sort = builtins.sort builtins.lessThan;

  tests = {
    requirementsFound = {
      expr = builtins.length wanted >= 10;
      expected = true;
    };
    dependenciesMatchRequirements = {
      expr = sort listed;
      expected = sort wanted;
    };
    # Issue 11, item 10: the build checks what collectstatic produced.
    buildChecksStaticFiles = {
      expr =
        let
          phase = package.buildPhase;
          after = builtins.elemAt (builtins.split "manage.py collectstatic" phase) 2;
        in
        builtins.match ".*python /nix/store/[a-z0-9]+-check_static.py\n.*" after != null;
      expected = true;
    };
    extraPythonPackagesInEnv = {
      expr =
        let
          extended = import ../bitpoll.nix {
            inherit lib;
            stdenvNoCC.mkDerivation = args: args;
            python312.override = _: {
              withPackages = f: f ps;
            };
            gettext = null;
            bash = null;
            coreutils = null;
            src = null;
            pythonPackagesOverlay = _: _: { };
            extraPythonPackages = ps: [ ps.caldav ];
          };
        in
        builtins.length extended.passthru.pythonEnv - builtins.length (package.passthru.dependencies ps);
      # gunicorn and the extra package.
      expected = 2;
    };
  };

  run =
    name: t:
    let
      r = builtins.tryEval (builtins.deepSeq t.expr t.expr);
    in
    if !r.success then
      "FAIL ${name}: evaluation error"
    else if r.value == t.expected then
      "ok ${name}"
    else
      "FAIL ${name}:\n  expected ${builtins.toJSON t.expected}\n  got      ${builtins.toJSON r.value}";
in
{
  inherit tests wanted;
  report = lib.concatStringsSep "\n" (lib.mapAttrsToList run tests) + "\n";
}
