# Declarations of the NixOS options nix/module.nix defines, reduced to what
# the module uses, so it evaluates without nixpkgs. The types follow NixOS's
# where it matters to the tests (lists concatenate, priorities apply per
# attribute).
{ lib, ... }:
let
  inherit (lib) mkOption types;

  strList = mkOption {
    type = types.listOf types.str;
    default = [ ];
  };

  service = types.submodule {
    options = {
      description = mkOption {
        type = types.str;
        default = "";
      };
      wantedBy = strList;
      requiredBy = strList;
      before = strList;
      after = strList;
      requires = strList;
      environment = mkOption {
        type = types.attrsOf types.str;
        default = { };
      };
      serviceConfig = mkOption {
        type = types.attrsOf types.anything;
        default = { };
      };
    };
  };

  user = types.submodule {
    options = {
      isSystemUser = mkOption {
        type = types.bool;
        default = false;
      };
      group = mkOption {
        type = types.str;
        default = "";
      };
      home = mkOption {
        type = types.str;
        default = "/var/empty";
      };
      description = mkOption {
        type = types.str;
        default = "";
      };
    };
  };

  location = types.submodule {
    options = {
      proxyPass = mkOption {
        type = types.nullOr types.str;
        default = null;
      };
      alias = mkOption {
        type = types.nullOr types.path;
        default = null;
      };
      recommendedProxySettings = mkOption {
        type = types.bool;
        default = false;
      };
    };
  };

  virtualHost = types.submodule {
    options.locations = mkOption {
      type = types.attrsOf location;
      default = { };
    };
  };
in
{
  options = {
    assertions = mkOption {
      type = types.listOf types.unspecified;
      default = [ ];
    };
    warnings = strList;

    environment.systemPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
    };

    systemd.services = mkOption {
      type = types.attrsOf service;
      default = { };
    };

    users.users = mkOption {
      type = types.attrsOf user;
      default = { };
    };
    users.groups = mkOption {
      type = types.attrsOf (types.submodule { });
      default = { };
    };

    services.postgresql = {
      enable = lib.mkEnableOption "PostgreSQL";
      ensureDatabases = strList;
      ensureUsers = mkOption {
        type = types.listOf (
          types.submodule {
            options = {
              name = mkOption { type = types.str; };
              ensureDBOwnership = mkOption {
                type = types.bool;
                default = false;
              };
            };
          }
        );
        default = [ ];
      };
    };

    services.nginx = {
      enable = lib.mkEnableOption "nginx";
      virtualHosts = mkOption {
        type = types.attrsOf virtualHost;
        default = { };
      };
    };
  };
}
