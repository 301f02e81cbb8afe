# The few pkgs functions nix/module.nix calls, as pure values: nothing is
# built or written to the store, so the tests need only `nix-instantiate`.
# Store paths here are fake (a fixed all-zero hash) and never realised.
{ lib }:
let
  fakeDrv = name: extra: {
    type = "derivation";
    inherit name;
    outPath = "${builtins.storeDir}/00000000000000000000000000000000-${name}";
  }
  // extra;
  # A package as callPackage makes it: `override` returns the package again,
  # with the arguments it was given recorded in `args`.
  overridable =
    name: args:
    fakeDrv name {
      inherit args;
      override = newArgs: overridable name (args // newArgs);
    };
in
{
  inherit fakeDrv overridable;

  bitpoll = overridable "bitpoll-stub" { };

  formats.json =
    { }:
    {
      # The same shape as nixpkgs' JSON format type.
      type =
        let
          valueType =
            lib.types.nullOr (
              lib.types.oneOf [
                lib.types.bool
                lib.types.int
                lib.types.float
                lib.types.str
                lib.types.path
                (lib.types.attrsOf valueType)
                (lib.types.listOf valueType)
              ]
            )
            // {
              description = "JSON value";
            };
        in
        valueType;
      generate = name: value: fakeDrv name { text = builtins.toJSON value; };
    };

  writeText = name: text: fakeDrv name { inherit text; };

  postgresql = fakeDrv "postgresql" { };

  sqlite = fakeDrv "sqlite" { };

  writeShellScript = name: text: fakeDrv name { inherit text; };

  writeShellScriptBin = name: text: fakeDrv name { inherit text; };
}
