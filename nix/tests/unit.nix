# Renders a unit of nix/module.nix (evaluated on the option stubs) as a
# systemd unit file, the way NixOS writes list values (one line per item),
# so run.sh can score it with `systemd-analyze security --offline=true`
# where no NixOS is at hand.
{
  lib,
  unit ? "bitpoll",
}:
let
  pkgs = import ./stubs/pkgs.nix { inherit lib; };
  config =
    (lib.evalModules {
      modules = [
        ./stubs/nixos.nix
        ../module.nix
        {
          services.bitpoll = {
            enable = true;
            secretKeyFile = "/run/secrets/bitpoll-secret-key";
            encryptionKeyFile = "/run/secrets/bitpoll-encryption-key";
          };
        }
      ];
      specialArgs = { inherit pkgs; };
    }).config;
  service = config.systemd.services.${unit};

  render =
    value:
    if builtins.isBool value then
      (if value then "true" else "false")
    else
      toString value;
  entries =
    name: value:
    map (v: "${name}=${render v}") (if builtins.isList value then value else [ value ]);
  section = attrs: lib.concatStringsSep "\n" (lib.concatMap (n: entries n attrs.${n}) (builtins.attrNames attrs));
in
{
  text = ''
    [Unit]
    ${section {
      Description = service.description;
      After = service.after;
      Requires = service.requires;
    }}

    [Service]
    ${section (
      service.serviceConfig
      // {
        Environment = lib.mapAttrsToList (n: v: "${n}=${v}") service.environment;
      }
    )}
  '';
}
