# Lists the Python packages of a nixpkgs package set as plain data.
#
# pkgs:   an instantiated nixpkgs (import <nixpkgs> {} or a flake's legacyPackages.<system>)
# python: the interpreter attribute, e.g. "python312"
#
# Returns { python = { attr; version; pythonVersion; };
#           packages = { <attr> = { pname; version; pypiName; }; }; }
# where pypiName is null unless the derivation records meta.pypiName.
#
# Only builtins available in Nix 2.8 are used. nixpkgs' package sets hold
# throwing aliases, broken packages, functions (callPackage) and nested sets
# (pkgs, python), so every value is forced inside builtins.tryEval and
# anything that is not a derivation with string pname and version is left
# out. tryEval catches throw and assert only, hence the `or` defaults
# before each attribute access.
{ pkgs, python }:
let
  interpreter = pkgs.${python};
  packageSet = pkgs.${python + "Packages"};

  # The value of `f x` when it evaluates without throwing and is a string.
  stringOr = default: f: x:
    let r = builtins.tryEval (let v = f x; in if builtins.isString v then v else default);
    in if r.success then r.value else default;

  isDerivation = v:
    let r = builtins.tryEval (builtins.isAttrs v && (v.type or null) == "derivation");
    in r.success && r.value;

  describe = name:
    let
      value = packageSet.${name};
      pname = stringOr null (v: v.pname or null) value;
      version = stringOr null (v: v.version or null) value;
      pypiName = stringOr null (v: (v.meta or { }).pypiName or null) value;
    in
    if isDerivation value && pname != null && version != null
    then [ { inherit name; value = { inherit pname version pypiName; }; } ]
    else [ ];

  names = builtins.attrNames packageSet;
in
{
  python = {
    attr = python;
    version = interpreter.version;
    pythonVersion = interpreter.pythonVersion;
  };
  packages = builtins.listToAttrs (builtins.concatMap describe names);
}
