# Stands in for nixpkgs when run.sh evaluates flake.nix offline
# (`--override-input nixpkgs path:…`): nixpkgs' real lib with stub packages.
# run.sh copies ../stubs and nixpkgs' lib (as ./nixpkgs-lib) beside this
# file first, as a path: flake may not reach outside its directory.
{
  outputs =
    { self }:
    let
      lib = import ./nixpkgs-lib;
    in
    {
      inherit lib;
      legacyPackages = lib.genAttrs [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ] (
        system: import ./stubs/flake-pkgs.nix { inherit lib system; }
      );
    };
}
