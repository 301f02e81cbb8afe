# Synthetic stand-in for a nixpkgs tree, for the query test: just the shapes
# query.nix must cope with (real nixpkgs is far too large to import in tests).
{ ... }:
let
  drv = pname: version: extra:
    { type = "derivation"; inherit pname version; name = "python3.12-${pname}-${version}"; } // extra;
  packages = {
    django = drv "django" "4.2.21" { };
    django_5 = drv "django" "5.1.9" { };
    psycopg2 = drv "psycopg2" "2.9.10" { };
    pyyaml = drv "pyyaml" "6.0.2" { meta.pypiName = "PyYAML"; };
    # A broken package still has pname and version; only building it fails.
    brokenPackage = drv "broken-package" "1.0" { meta.broken = true; };
    # nixpkgs' renamed attributes throw when forced.
    brokenAlias = throw "'brokenAlias' has been renamed to 'django'";
    assertFails = assert false; drv "never" "0" { };
    throwingPname = drv (throw "no pname") "1.0" { };
    throwingVersion = drv "throwing-version" (throw "no version") { };
    throwingMeta = drv "throwing-meta" "2.0" { meta = throw "no meta"; };
    nonStringPypiName = drv "non-string-pypi-name" "3.0" { meta.pypiName = 42; };
    noPname = { type = "derivation"; version = "1.0"; };
    throwingType = { type = throw "no type"; pname = "x"; version = "1"; };
    callPackage = f: f { };
    recurseForDerivations = true;
    python = { version = "3.12.10"; };
    pkgs = { inherit packages; };
  };
in
{
  python312 = { version = "3.12.10"; pythonVersion = "3.12"; };
  python312Packages = packages;
}
