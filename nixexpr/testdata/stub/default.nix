# SYNTHETIC stub of nixpkgs' Python package set, for evaluating generated
# overlays with nix-instantiate alone (no nixpkgs, no builds). Its stand-ins
# for buildPythonPackage, fetchPypi, fetchurl and overridePythonAttrs check
# their arguments the way the real ones would fail on them, and the set is
# assembled as a fixed point with the overlay applied, like
# python3.override { packageOverrides = overlay; }.
#
# The result maps each attribute the overlay defines to a JSON-friendly
# summary; evaluating it with --strict forces every derivation.
overlay:
let
  fail = msg: throw "stub: ${msg}";
  check = cond: msg: if cond then true else fail msg;
  isSRI = h: builtins.isString h && builtins.match "sha256-[A-Za-z0-9+/]{43}=" h != null;

  mkLicense = shortName: free: {
    __stubLicense = true;
    inherit shortName free;
  };
  licenses = {
    asl20 = mkLicense "asl20" true;
    bsd2 = mkLicense "bsd2" true;
    bsd3 = mkLicense "bsd3" true;
    gpl3Plus = mkLicense "gpl3Plus" true;
    isc = mkLicense "isc" true;
    lgpl3Plus = mkLicense "lgpl3Plus" true;
    mit = mkLicense "mit" true;
    mpl20 = mkLicense "mpl20" true;
    psfl = mkLicense "psfl" true;
    unfree = mkLicense "unfree" false;
  };
  lib = {
    inherit licenses;
    # nixpkgs' lib.warnIf: a trace when cond holds, else the identity.
    warnIf = cond: msg: if cond then builtins.trace "evaluation warning: ${msg}" else x: x;
    optionals = cond: xs: assert check (builtins.isBool cond) "lib.optionals: condition is not a bool"; assert check (builtins.isList xs) "lib.optionals: not a list"; if cond then xs else [ ];
  };
  stdenv.hostPlatform = {
    isLinux = true;
    isDarwin = false;
  };

  mkSrc = url: hash: {
    __stubSrc = true;
    inherit url hash;
  };
  fetchPypi =
    {
      pname,
      version,
      hash,
      extension ? "tar.gz",
      format ? "setuptools",
      dist ? "py2.py3",
      python ? "py2.py3",
    }:
    assert check (pname != "" && version != "") "fetchPypi: empty pname or version";
    assert check (builtins.elem format [ "setuptools" "wheel" ]) "fetchPypi ${pname}: format ${format}";
    assert check (format == "wheel" -> builtins.elem python [ "py3" "py2.py3" ] && dist == python) "fetchPypi ${pname}: wheel dist/python ${dist}/${python}";
    assert check (isSRI hash) "fetchPypi ${pname}: hash ${builtins.toJSON hash} is not sha256-<base64>";
    assert check (builtins.elem extension [ "tar.gz" "zip" "tar.bz2" "tgz" ]) "fetchPypi ${pname}: extension ${extension}";
    mkSrc (
      if format == "wheel" then
        "pypi:${pname}-${version}-${python}-none-any.whl"
      else
        "pypi:${pname}-${version}.${extension}"
    ) hash;
  fetchurl =
    { url, hash }:
    assert check (builtins.match "(https?|file)://.+" url != null) "fetchurl: bad url ${url}";
    assert check (isSRI hash) "fetchurl ${url}: hash is not sha256-<base64>";
    mkSrc url hash;

  isPackage = x: builtins.isAttrs x && (x.__stubPackage or false);
  checkPackages =
    what: xs:
    check (builtins.isList xs && builtins.all isPackage xs) "${what}: every element must be a package of the set";
  allowed = [
    "pname"
    "version"
    "pyproject"
    "format"
    "src"
    "build-system"
    "dependencies"
    "nativeBuildInputs"
    "buildInputs"
    "pythonImportsCheck"
    "meta"
    "patches"
    "postPatch"
    "doCheck"
    "disabledTests"
    "pythonRelaxDeps"
    "optional-dependencies"
  ];
  isPatch = p: builtins.isPath p || (p.__stubPatch or false);
  patchName = p: if builtins.isPath p then "path:${baseNameOf p}" else "nixpkgs:${p.name}";
  checkMeta =
    name: meta:
    let
      lic = meta.license or [ ];
      lics = if builtins.isList lic then lic else [ lic ];
      desc = meta.description or "";
    in
    check (builtins.all (l: builtins.isAttrs l && (l.__stubLicense or false)) lics) "${name}: license is not from lib.licenses"
    && check (builtins.isString desc && builtins.match ".*[.\n]" desc == null) "${name}: description ends with a period or spans lines"
    && check (builtins.all (k: builtins.elem k [ "description" "homepage" "changelog" "license" ]) (builtins.attrNames meta)) "${name}: unexpected meta attribute";

  buildPythonPackage =
    attrs:
    let
      name = "${attrs.pname or "?"}-${attrs.version or "?"}";
    in
    assert check (builtins.isString (attrs.pname or null) && attrs.pname != "") "buildPythonPackage: pname missing";
    assert check (builtins.isString (attrs.version or null) && attrs.version != "") "${name}: version missing";
    assert check (
      ((attrs.pyproject or null) == true) != ((attrs.format or null) == "wheel")
    ) "${name}: want pyproject = true or (only) format = \"wheel\"";
    assert check ((attrs.format or null) == "wheel" -> (attrs.build-system or [ ]) == [ ]) "${name}: a wheel has no build system";
    assert check (attrs.src.__stubSrc or false) "${name}: src is not a fetcher result";
    assert check (builtins.all (k: builtins.elem k allowed) (builtins.attrNames attrs)) "${name}: unexpected attribute among ${builtins.toJSON (builtins.attrNames attrs)}";
    assert checkPackages "${name}: build-system" (attrs.build-system or [ ]);
    assert checkPackages "${name}: dependencies" (attrs.dependencies or [ ]);
    assert checkPackages "${name}: nativeBuildInputs" (attrs.nativeBuildInputs or [ ]);
    assert checkPackages "${name}: buildInputs" (attrs.buildInputs or [ ]);
    assert check (builtins.all builtins.isString (attrs.pythonImportsCheck or [ ])) "${name}: pythonImportsCheck";
    assert check (builtins.isList (attrs.patches or [ ]) && builtins.all isPatch (attrs.patches or [ ])) "${name}: patches must be paths or nixpkgs' patches";
    assert check (builtins.isString (attrs.postPatch or "")) "${name}: postPatch is not a string";
    assert check (builtins.isBool (attrs.doCheck or true)) "${name}: doCheck is not a bool";
    assert check (
      let
        r = attrs.pythonRelaxDeps or [ ];
      in
      builtins.isBool r || builtins.isList r && builtins.all builtins.isString r
    ) "${name}: pythonRelaxDeps";
    assert check (builtins.all (x: checkPackages "${name}: optional-dependencies" x) (builtins.attrValues (attrs.optional-dependencies or { }))) "${name}: optional-dependencies";
    assert checkMeta name (attrs.meta or { });
    attrs
    // {
      __stubPackage = true;
      overridePythonAttrs =
        f:
        assert check (builtins.isFunction f) "${name}: overridePythonAttrs takes a function";
        buildPythonPackage (attrs // f attrs);
    };

  existing =
    pname: version:
    existingWith pname version { };
  existingWith =
    pname: version: recipe:
    buildPythonPackage (
      {
        inherit pname version;
        pyproject = true;
        src = mkSrc "stub:${pname}" "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        build-system = [ ];
      }
      // recipe
    );
  # A patch of nixpkgs' tree or a fetchpatch, as the overlay finds it in
  # old.patches.
  nixpkgsPatch = name: {
    __stubPatch = true;
    inherit name;
  };

  # What the fixed plans find in "nixpkgs" (synthetic versions).
  base = self: {
    inherit lib stdenv buildPythonPackage;
    pkgs = {
      inherit fetchPypi fetchurl;
      libxml2 = {
        __stubPackage = true;
        pname = "libxml2";
      };
      pkg-config = {
        __stubPackage = true;
        pname = "pkg-config";
      };
    };
    asgiref = existing "asgiref" "3.8.1";
    cffi = existing "cffi" "1.17.1";
    django = existing "django" "4.2.20";
    django_5 = existing "django" "5.1.9";
    flit-core = existing "flit-core" "3.12.0";
    hatchling = existing "hatchling" "1.27.0";
    # Real-style recipes (synthetic content), as nixpkgs writes them.
    icalendar = existingWith "icalendar" "6.1.3" {
      patches = [
        (nixpkgsPatch "icalendar-tests.patch")
        (nixpkgsPatch "CVE-0000-0003.patch")
      ];
      postPatch = "substituteInPlace pyproject.toml --replace-fail 'hatchling>=1.27' hatchling\n";
      disabledTests = [ "test_timezone" ];
      pythonRelaxDeps = [ "tzdata" ];
    };
    bleach = existingWith "bleach" "6.2.0" {
      dependencies = [ self.webencodings ];
      optional-dependencies.css = [ self.tinycss2 ];
    };
    tinycss2 = existing "tinycss2" "1.4.0";
    webencodings = existing "webencodings" "0.5.1";
    idna = existing "idna" "3.10";
    python-dateutil = existing "python-dateutil" "2.9.0.post0";
    pyobjc-core = existing "pyobjc-core" "11.0";
    pytz = existing "pytz" "2025.2";
    setuptools = existing "setuptools" "80.9.0";
    setuptools-scm = existing "setuptools-scm" "8.3.1";
    sqlparse = existing "sqlparse" "0.5.3";
    tzdata = existing "tzdata" "2025.2";
    uvloop = existing "uvloop" "0.21.0";
  };

  fix = f: let x = f x; in x;
  extended = self: let super = base self; in super // overlay self super;
  final = fix extended;
  defined = builtins.attrNames (overlay final (base final));

  summary =
    v:
    if isPackage v then
      {
        inherit (v) pname version;
        src = v.src.url;
        hash = v.src.hash;
        build-system = map (p: p.pname) (v.build-system or [ ]);
        dependencies = map (p: p.pname) (v.dependencies or [ ]);
        nativeBuildInputs = map (p: p.pname) (v.nativeBuildInputs or [ ]);
        buildInputs = map (p: p.pname) (v.buildInputs or [ ]);
        pythonImportsCheck = v.pythonImportsCheck or [ ];
        patches = map patchName (v.patches or [ ]);
        postPatch = v.postPatch or null;
        doCheck = v.doCheck or true;
        pythonRelaxDeps = v.pythonRelaxDeps or [ ];
        optional-dependencies = builtins.mapAttrs (_: map (p: p.pname)) (v.optional-dependencies or { });
        description = v.meta.description or null;
        homepage = v.meta.homepage or null;
        changelog = v.meta.changelog or null;
        license =
          let
            l = v.meta.license or [ ];
          in
          map (x: x.shortName) (if builtins.isList l then l else [ l ]);
      }
    else
      fail "overlay attribute is not a package";
in
builtins.listToAttrs (
  map (n: {
    name = n;
    value = summary final.${n};
  }) defined
)
