# The texts of the patches of some packages' recipes, for test-applying
# them to another release's source.
#
# pkgs:   an instantiated nixpkgs
# python: the interpreter attribute, e.g. "python312"
# attrs:  attribute names of <python>Packages
#
# Returns { <attr> = [ text-or-null … ]; } with one entry per element of
# the package's patches, in order: the file's text for a path (a file of
# the nixpkgs tree), null for anything else (fetchpatch derivations would
# need a build) or a file that cannot be read. Runs on Nix 2.8.
{
  pkgs,
  python,
  attrs,
}:
let
  packageSet = pkgs.${python + "Packages"};
  text =
    p:
    let
      r = builtins.tryEval (
        if builtins.isPath p then
          builtins.readFile p
        else if builtins.isString p && builtins.substring 0 1 p == "/" then
          builtins.readFile p
        else
          null
      );
    in
    if r.success then r.value else null;
  patchesOf =
    attr:
    let
      r = builtins.tryEval (
        let
          ps = packageSet.${attr}.patches or [ ];
        in
        if builtins.isList ps then builtins.deepSeq (map text ps) (map text ps) else [ ]
      );
    in
    if r.success then r.value else [ ];
in
builtins.listToAttrs (
  map (attr: {
    name = attr;
    value = patchesOf attr;
  }) attrs
)
