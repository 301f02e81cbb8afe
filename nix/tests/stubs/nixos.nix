# Declarations of the NixOS options nix/module.nix defines, reduced to the
# options it uses, so it evaluates with nixpkgs' lib but without the rest of
# nixpkgs. Where the module depends on how definitions merge, the types are
# NixOS 25.05's own, transcribed from:
#   - nixos/lib/systemd-unit-options.nix: `unitOption` (a list definition
#     concatenates with the others, a scalar must be unique unless
#     overridden), serviceConfig as `addCheck (attrsOf unitOption)` with the
#     Type= and Restart= value checks, the unit name lists, `environment`
#     (attrsOf (nullOr (oneOf [ str path package ]))), timerConfig;
#   - nixos/modules/config/users-groups.nix: users and groups as
#     `attrsOf (submodule …)`, passwdEntry strings;
#   - nixos/modules/services/web-servers/nginx/{default,vhost-options,
#     location-options}.nix: virtual hosts and locations as submodules,
#     `alias` a nullOr path, `recommendedProxySettings` defaulting to the
#     global option;
#   - nixos/modules/services/databases/postgresql.nix: ensureDatabases,
#     ensureUsers.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;

  # systemd-lib.nix's unitNameType.
  unitNameType = types.strMatching "[a-zA-Z0-9@%:_.\\-]+[.](service|socket|device|mount|automount|swap|target|path|timer|scope|slice)";
  unitNames = mkOption {
    type = types.listOf unitNameType;
    default = [ ];
  };

  unitOption = lib.mkOptionType {
    name = "systemd option";
    merge =
      loc: defs:
      let
        defs' = lib.filterOverrides defs;
      in
      if lib.any (def: lib.isList def.value) defs' then
        lib.concatMap (def: lib.toList def.value) defs'
      else
        lib.mergeEqualOption loc defs';
  };

  # checkUnitConfig "Service" [ assertValueOneOf "Type" …, assertValueOneOf "Restart" … ].
  oneOfOrAbsent = name: values: attrs: !(attrs ? ${name}) || builtins.elem attrs.${name} values;
  checkService =
    attrs:
    oneOfOrAbsent "Type" [
      "exec"
      "simple"
      "forking"
      "oneshot"
      "dbus"
      "notify"
      "notify-reload"
      "idle"
    ] attrs
    && oneOfOrAbsent "Restart" [
      "no"
      "on-success"
      "on-failure"
      "on-abnormal"
      "on-abort"
      "always"
    ] attrs;

  commonUnitOptions = {
    description = mkOption {
      type = types.singleLineStr;
      default = "";
    };
    wantedBy = unitNames;
    requiredBy = unitNames;
    requires = unitNames;
    wants = unitNames;
    after = unitNames;
    before = unitNames;
    unitConfig = mkOption {
      type = types.attrsOf unitOption;
      default = { };
    };
  };

  # serviceOptions' `script` becomes ExecStart through a job script
  # (makeJobScript: a store path named unit-script-NAME-start); a fake path
  # here.
  service = types.submodule (
    { name, config, ... }:
    {
      config.serviceConfig.ExecStart = lib.mkIf (
        config.script != ""
      ) "${builtins.storeDir}/00000000000000000000000000000000-unit-script-${name}-start/bin/${name}-start ";
      options = commonUnitOptions // {
      script = mkOption {
        type = types.lines;
        default = "";
      };
      environment = mkOption {
        type = types.attrsOf (
          types.nullOr (
            types.oneOf [
              types.str
              types.path
              types.package
            ]
          )
        );
        default = { };
      };
      serviceConfig = mkOption {
        type = types.addCheck (types.attrsOf unitOption) checkService;
        default = { };
      };
    };
    }
  );

  timer = types.submodule {
    options = commonUnitOptions // {
      timerConfig = mkOption {
        type = types.attrsOf unitOption;
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
        type = types.passwdEntry types.path;
        default = "/var/empty";
      };
      description = mkOption {
        type = types.passwdEntry types.str;
        default = "";
      };
    };
  };

  group = types.submodule {
    options.members = mkOption {
      type = types.listOf (types.passwdEntry types.str);
      default = [ ];
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
      extraConfig = mkOption {
        type = types.lines;
        default = "";
      };
      recommendedProxySettings = mkOption {
        type = types.bool;
        default = config.services.nginx.recommendedProxySettings;
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
    warnings = mkOption {
      type = types.listOf types.str;
      default = [ ];
    };

    environment.systemPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
    };

    systemd.services = mkOption {
      type = types.attrsOf service;
      default = { };
    };
    systemd.timers = mkOption {
      type = types.attrsOf timer;
      default = { };
    };

    users.users = mkOption {
      type = types.attrsOf user;
      default = { };
    };
    users.groups = mkOption {
      type = types.attrsOf group;
      default = { };
    };

    services.postgresql = {
      enable = lib.mkEnableOption "PostgreSQL";
      package = mkOption {
        type = types.package;
        default = pkgs.postgresql;
      };
      ensureDatabases = mkOption {
        type = types.listOf types.str;
        default = [ ];
      };
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
      recommendedProxySettings = mkOption {
        type = types.bool;
        default = false;
      };
      virtualHosts = mkOption {
        type = types.attrsOf virtualHost;
        default = { };
      };
    };
  };
}
