# Synthetic stand-in for a nixpkgs tree, for the query test: just the shapes
# query.nix must cope with (real nixpkgs is far too large to import in tests).
{ ... }:
let
  drv = pname: version: extra:
    { type = "derivation"; inherit pname version; name = "python3.12-${pname}-${version}"; } // extra;
  fetchPypi = { pname, version, hash ? "" }:
    { type = "derivation"; name = "${pname}-${version}.tar.gz"; urls = [ "mirror://pypi/${builtins.substring 0 1 pname}/${pname}/${pname}-${version}.tar.gz" ]; passthru = { format = "setuptools"; }; inherit pname version; };
  fetchFromGitHub = { owner, repo, rev }:
    { type = "derivation"; name = "source"; url = "https://github.com/${owner}/${repo}/archive/${rev}.tar.gz"; inherit owner repo rev; };
  fetchpatch = { name, url }: { type = "derivation"; inherit name url; };
  licenses = {
    bsd3 = { spdxId = "BSD-3-Clause"; shortName = "bsd3"; };
    mpl20 = { spdxId = "MPL-2.0"; shortName = "mpl20"; };
    unfree = { shortName = "unfree"; free = false; };
  };
  cacert = { type = "derivation"; name = "nss-cacert-3.111"; outPath = "/nix/store/00000000000000000000000000000000-nss-cacert-3.111"; };
  packages = {
    asgiref = drv "asgiref" "3.8.1" { meta.license = licenses.bsd3; };
    sqlparse = drv "sqlparse" "0.5.3" { meta.license = [ licenses.bsd3 ]; };
    tinycss2 = drv "tinycss2" "1.4.0" { };
    setuptools = drv "setuptools" "80.9.0" { };
    wheel = drv "wheel" "0.45.1" { };
    django = drv "django" "4.2.21" {
      meta.license = licenses.bsd3;
      meta.knownVulnerabilities = [ "CVE-0000-0001 (synthetic)" ];
      src = fetchPypi { pname = "django"; version = "4.2.21"; };
      propagatedBuildInputs = [ packages.asgiref packages.sqlparse { type = "derivation"; name = "python3-3.12.10"; } ];
      patches = [ ./django_4_tests.patch (fetchpatch { name = "CVE-0000-0002.patch"; url = "https://example.org/x.patch"; }) ];
      postPatch = "substituteInPlace tests/utils_tests/test_autoreload.py --replace-fail \"/usr/bin/python\" \"python\"\n";
      disabledTests = [ "test_a" ];
    };
    certifi = drv "certifi" "2025.1.31" {
      meta.license = licenses.mpl20;
      src = fetchFromGitHub { owner = "certifi"; repo = "python-certifi"; rev = "2025.01.31"; };
      patches = [ ./env.patch ];
      postPatch = "ln -s ${cacert}/etc/ssl/certs/ca-bundle.crt certifi/cacert.pem\n";
      pythonRelaxDeps = true;
      propagatedBuildInputs = [ packages.dateutil ];
    };
    bleach = drv "bleach" "6.2.0" {
      propagatedBuildInputs = [ packages.webencodings ];
      optional-dependencies.css = [ packages.tinycss2 ];
      pythonRelaxDeps = [ "webencodings" ];
      disabledTestPaths = [ "tests/test_css.py" ];
    };
    webencodings = drv "webencodings" "0.5.1" { meta.license = licenses.unfree; };
    # An alias: the same derivation under a second name.
    dateutil = packages.python-dateutil;
    python-dateutil = drv "python-dateutil" "2.9.0.post0" { };
    throwingDeps = drv "throwing-deps" "1.0" { propagatedBuildInputs = throw "no deps"; postPatch = throw "no postPatch"; meta.license = throw "no license"; };
    django_5 = drv "django" "5.1.9" { };
    # A patch derivation built from a file (as replaceVars makes), not fetched.
    psycopg2 = drv "psycopg2" "2.9.10" { patches = [ { type = "derivation"; name = "fix-paths.patch"; } ]; };
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
