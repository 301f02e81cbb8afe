# Lists the Python packages of a nixpkgs package set as plain data.
#
# pkgs:   an instantiated nixpkgs (import <nixpkgs> {} or a flake's legacyPackages.<system>)
# python: the interpreter attribute, e.g. "python312"
#
# Returns { python = { attr; version; pythonVersion; };
#           packages = { <attr> = {
#             pname; version; pypiName;        # pypiName: meta.pypiName or null
#             license;                         # SPDX ids of meta.license, null when unknown
#             broken; knownVulnerabilities;    # meta.broken, meta.knownVulnerabilities
#             dependencies;                    # attributes of its Python dependencies
#             optionalDependencies;            # extra -> attributes
#             recipe = { src; patches; postPatch; disabledTests; pythonRelaxDeps;
#                        fetchedPatches; };    # fetchedPatches only when any
#           }; }; }
#
# Only builtins available in Nix 2.8 are used. nixpkgs' package sets hold
# throwing aliases, broken packages, functions (callPackage) and nested sets
# (pkgs, python), so every value is forced inside builtins.tryEval and
# anything that is not a derivation with string pname and version is left
# out. tryEval catches throw and assert only, hence the `or` defaults
# before each attribute access. A field that throws gets its "unknown"
# value (null, [], false, {}), never the whole package.
{ pkgs, python }:
let
  interpreter = pkgs.${python};
  packageSet = pkgs.${python + "Packages"};

  # The value of `f x` when it evaluates (deeply) without throwing and
  # passes ok; else default.
  try =
    default: ok: f: x:
    let
      r = builtins.tryEval (
        let
          v = f x;
        in
        if ok v then builtins.deepSeq v v else default
      );
    in
    if r.success then r.value else default;
  stringOr = default: try default builtins.isString;

  isDerivation =
    v:
    let
      r = builtins.tryEval (builtins.isAttrs v && (v.type or null) == "derivation");
    in
    r.success && r.value;

  names = builtins.attrNames packageSet;

  # Derivation name -> attribute, so dependency lists (derivations) become
  # attribute names. An attribute named like its pname wins over aliases
  # (listToAttrs keeps the first of equal names).
  entries = builtins.concatMap (
    attr:
    let
      v = packageSet.${attr};
      name = stringOr null (d: d.name or null) v;
      pname = stringOr null (d: d.pname or null) v;
    in
    if isDerivation v && name != null then
      [
        {
          inherit name;
          value = attr;
          preferred = attr == pname;
        }
      ]
    else
      [ ]
  ) names;
  attrOfName = builtins.listToAttrs (
    builtins.filter (e: e.preferred) entries ++ builtins.filter (e: !e.preferred) entries
  );
  attrsOf =
    xs:
    builtins.concatMap (
      d:
      let
        n = stringOr null (d: if isDerivation d then d.name or null else null) d;
      in
      if n != null && attrOfName ? ${n} then [ attrOfName.${n} ] else [ ]
    ) xs;
  listOf = f: v: try [ ] builtins.isList f v;

  license =
    meta:
    let
      l = meta.license or null;
      ls = if builtins.isList l then l else [ l ];
      ids = map (x: x.spdxId or null) ls;
    in
    if l == null || ls == [ ] || builtins.any (x: !builtins.isString x) ids then null else ids;

  srcKind =
    src:
    let
      urls = (if src ? urls then src.urls else [ ]) ++ (if src ? url then [ src.url ] else [ ]);
      url = if urls == [ ] then "" else toString (builtins.head urls);
      prefix = p: builtins.substring 0 (builtins.stringLength p) url == p;
    in
    if prefix "mirror://pypi/" || (src.passthru or { }) ? format && src ? pname then
      "pypi"
    else if prefix "https://github.com/" || src ? owner && src ? repo then
      "github"
    else
      "other";

  patchName =
    p:
    if builtins.isPath p || builtins.isString p then
      baseNameOf (toString p)
    else if builtins.isAttrs p then
      p.name or "unnamed"
    else
      "unnamed";

  # A patch fetched when it is built (fetchpatch, fetchurl: a derivation
  # with a URL); its text is not known at evaluation time.
  isFetched = p: isDerivation p && (p ? urls || p ? url);

  recipe =
    v:
    let
      fetched = listOf (v: map patchName (builtins.filter isFetched (v.patches or [ ]))) v;
    in
    {
      src = try "other" builtins.isString (v: srcKind (v.src or { })) v;
      patches = listOf (v: map patchName (v.patches or [ ])) v;
      postPatch = try null builtins.isString (v: v.postPatch or null) v;
      disabledTests = try false builtins.isBool (
        v: (v.disabledTests or [ ]) != [ ] || (v.disabledTestPaths or [ ]) != [ ]
      ) v;
      pythonRelaxDeps = try [ ] (x: builtins.isList x || builtins.isBool x) (
        v: v.pythonRelaxDeps or [ ]
      ) v;
    }
    // (if fetched == [ ] then { } else { fetchedPatches = fetched; });

  describe =
    name:
    let
      value = packageSet.${name};
      pname = stringOr null (v: v.pname or null) value;
      version = stringOr null (v: v.version or null) value;
      meta = v: v.meta or { };
    in
    if isDerivation value && pname != null && version != null then
      [
        {
          inherit name;
          value = {
            inherit pname version;
            pypiName = stringOr null (v: (meta v).pypiName or null) value;
            license = try null (x: x == null || builtins.isList x) (v: license (meta v)) value;
            broken = try false builtins.isBool (v: (meta v).broken or false) value;
            knownVulnerabilities = try [ ] (x: builtins.isList x && builtins.all builtins.isString x) (
              v: (meta v).knownVulnerabilities or [ ]
            ) value;
            dependencies = listOf (v: attrsOf (v.propagatedBuildInputs or [ ])) value;
            optionalDependencies = try { } builtins.isAttrs (
              v: builtins.mapAttrs (_: attrsOf) (v.optional-dependencies or { })
            ) value;
            recipe = recipe value;
          };
        }
      ]
    else
      [ ];
in
{
  python = {
    attr = python;
    version = interpreter.version;
    pythonVersion = interpreter.pythonVersion;
  };
  packages = builtins.listToAttrs (builtins.concatMap describe names);
}
