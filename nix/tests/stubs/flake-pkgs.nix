# legacyPackages of the stub nixpkgs flake that flake-tests.nix puts in place
# of the real input: enough of pkgs for every output of flake.nix to
# evaluate. Derivations are fake (stubs/pkgs.nix) and keep the arguments the
# tests look at.
{ lib, system }:
let
  base = import ./pkgs.nix { inherit lib; };
  inherit (base) fakeDrv;

  python = fakeDrv "python3" {
    override = args: python // { inherit (args) packageOverrides; };
    withPackages = _: fakeDrv "python3-env" { };
    sitePackages = "lib/python3.12/site-packages";
  };

  pkgs = base // {
    inherit lib;
    stdenv.hostPlatform = {
      inherit system;
      isLinux = lib.hasSuffix "-linux" system;
      isDarwin = lib.hasSuffix "-darwin" system;
    };

    # As nixpkgs' callPackage: the result can be overridden.
    callPackage =
      fn: args:
      let
        f = if builtins.isFunction fn then fn else import fn;
      in
      f (builtins.intersectAttrs (builtins.functionArgs f) pkgs // args)
      // {
        override = newArgs: pkgs.callPackage fn (args // newArgs);
      };

    stdenvNoCC.mkDerivation =
      args:
      # As nixpkgs' mkDerivation: passthru attributes on the derivation too.
      fakeDrv "${args.pname}-${args.version}" (
        args.passthru or { }
        // {
          inherit (args) src meta passthru;
        }
      );
    buildGoModule =
      args:
      fakeDrv "${args.pname}-${args.version}" {
        inherit (args) src vendorHash meta;
      };
    mkShell = args: fakeDrv "shell" { inherit (args) packages shellHook; };
    runCommand =
      name: env: script:
      fakeDrv name {
        inherit env script;
      };
    testers.runNixOSTest =
      test:
      fakeDrv "vm-test-run-${test.name}" {
        inherit (test) nodes testScript;
      };

    python312 = python;
    python3 = python;
    pythonPackagesExtensions = [ ];
    bash = fakeDrv "bash" { };
    coreutils = fakeDrv "coreutils" { };
    gettext = fakeDrv "gettext" { };
    go = fakeDrv "go" { };
    gopls = fakeDrv "gopls" { };
    nix = fakeDrv "nix" { };
    nixfmt-rfc-style = fakeDrv "nixfmt" { };
  };
in
pkgs
