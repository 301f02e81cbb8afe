# SYNTHETIC stand-in for a large nixpkgs Python set, for measuring what
# query.nix costs per attribute: n packages, each with a real-style recipe
# (fetchPypi or GitHub src, a patch, a postPatch interpolating a
# derivation, disabledTests, pythonRelaxDeps, optional-dependencies), a
# license, and three dependencies on earlier packages; every tenth
# attribute is a throwing alias.
{
  n ? 1000,
}:
let
  drv = attrs: { type = "derivation"; } // attrs;
  cacert = drv {
    name = "nss-cacert";
    outPath = "/nix/store/00000000000000000000000000000000-nss-cacert";
  };
  name = i: "pkg${toString i}";
  mk =
    i:
    let
      dep = j: packages.${name (if j < 0 then 0 else j)};
    in
    drv {
      pname = "pkg-${toString i}";
      version = "1.${toString i}";
      name = "python3.12-pkg-${toString i}-1.${toString i}";
      meta.license = {
        spdxId = "MIT";
      };
      src =
        if i / 2 * 2 == i then
          drv {
            name = "src";
            urls = [ "mirror://pypi/p/pkg/pkg-${toString i}.tar.gz" ];
          }
        else
          drv {
            name = "source";
            owner = "o";
            repo = "r";
          };
      patches = [ ./fix.patch ];
      postPatch = "substituteInPlace setup.py --replace-fail 'a' '${cacert}/b'\n";
      disabledTests = [ "test_x" ];
      pythonRelaxDeps = [ "pkg-0" ];
      propagatedBuildInputs = [
        (dep (i - 1))
        (dep (i - 2))
        (dep (i - 3))
      ];
      optional-dependencies.extra = [ (dep (i - 4)) ];
    };
  packages = builtins.listToAttrs (
    builtins.genList (i: {
      name = name i;
      value = if i / 10 * 10 == i && i > 0 then throw "alias" else mk i;
    }) n
  );
in
{
  python312 = {
    version = "3.12.10";
    pythonVersion = "3.12";
  };
  python312Packages = packages;
}
