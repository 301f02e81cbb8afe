# Stands in for nixpkgs when run.sh evaluates flake.nix offline
# (`--override-input nixpkgs path:…`). run.sh copies ../minilib and ../stubs
# beside this file first, as a path: flake may not reach outside its
# directory, and nixpkgs' lib as ./nixpkgs-lib when it has one.
{
  outputs =
    { self }:
    let
      lib = if builtins.pathExists ./nixpkgs-lib then import ./nixpkgs-lib else import ./minilib;
    in
    {
      inherit lib;
      legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" ] (
        system: import ./stubs/flake-pkgs.nix { inherit lib system; }
      );
    };
}
