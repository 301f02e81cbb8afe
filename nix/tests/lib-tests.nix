# Module-system semantics the module tests rely on, checked on small
# modules: run against minilib and against nixpkgs' lib, they show the two
# agree where it matters. Same report format as module-tests.nix.
{
  lib ? import ./minilib,
}:
let
  inherit (lib) mkOption types;

  eval =
    modules:
    (lib.evalModules {
      modules = [ decls ] ++ modules;
    }).config;

  decls = {
    options = {
      flag = mkOption {
        type = types.bool;
        default = false;
      };
      name = mkOption {
        type = types.str;
        default = "default";
      };
      maybe = mkOption {
        type = types.nullOr types.int;
        default = null;
      };
      list = mkOption {
        type = types.listOf types.str;
        default = [ ];
      };
      text = mkOption {
        type = types.lines;
        default = "";
      };
      attrs = mkOption {
        type = types.attrsOf types.int;
        default = { };
      };
      either = mkOption {
        type = types.either types.int types.str;
        default = 0;
      };
      transformed = mkOption {
        type = types.str;
        default = "x";
        apply = s: s + "!";
      };
      required = mkOption { type = types.str; };
      nested.deeper = mkOption {
        type = types.port;
        default = 80;
      };
      subs = mkOption {
        type = types.attrsOf (
          types.submodule (
            { name, ... }:
            {
              options.label = mkOption {
                type = types.str;
                default = "label of ${name}";
              };
              options.size = mkOption {
                type = types.int;
                default = 1;
              };
            }
          )
        );
        default = { };
      };
    };
  };

  tests = {
    defaults = {
      expr = {
        inherit (eval [ ]) flag name maybe list attrs transformed;
        deeper = (eval [ ]).nested.deeper;
      };
      expected = {
        flag = false;
        name = "default";
        maybe = null;
        list = [ ];
        attrs = { };
        transformed = "x!";
        deeper = 80;
      };
    };
    definitionBeatsDefault = {
      expr = (eval [ { name = "set"; } ]).name;
      expected = "set";
    };
    mkIfFalseDropsDefinition = {
      expr = (eval [ { config = lib.mkIf false { name = "hidden"; }; } ]).name;
      expected = "default";
    };
    mkIfTrueKeepsDefinition = {
      expr = (eval [ { config = lib.mkIf true { name = "shown"; }; } ]).name;
      expected = "shown";
    };
    mkIfOnValue = {
      expr = (eval [ { name = lib.mkIf false "hidden"; } ]).name;
      expected = "default";
    };
    mkMergeCombines = {
      expr =
        (eval [
          {
            config = lib.mkMerge [
              { list = [ "a" ]; }
              { list = [ "b" ]; }
              (lib.mkIf false { list = [ "c" ]; })
            ];
          }
        ]).list;
      expected = [
        "a"
        "b"
      ];
    };
    # nixpkgs' lib lists later modules' definitions first.
    listsConcatenateAcrossModules = {
      expr =
        (eval [
          { list = [ "a" ]; }
          { list = [ "b" ]; }
        ]).list;
      expected = [
        "b"
        "a"
      ];
    };
    orderBeforeAfter = {
      expr =
        (eval [
          { list = [ "middle" ]; }
          { list = lib.mkAfter [ "last" ]; }
          { list = lib.mkBefore [ "first" ]; }
        ]).list;
      expected = [
        "first"
        "middle"
        "last"
      ];
    };
    mkDefaultLosesToPlain = {
      expr =
        (eval [
          { name = lib.mkDefault "weak"; }
          { name = "plain"; }
        ]).name;
      expected = "plain";
    };
    mkForceWins = {
      expr =
        (eval [
          { name = lib.mkForce "forced"; }
          { name = "plain"; }
        ]).name;
      expected = "forced";
    };
    mkOverrideLowestWins = {
      expr =
        (eval [
          { name = lib.mkOverride 60 "sixty"; }
          { name = lib.mkOverride 40 "forty"; }
        ]).name;
      expected = "forty";
    };
    prioritiesPerAttribute = {
      expr =
        (eval [
          {
            attrs = {
              a = lib.mkDefault 1;
              b = 2;
            };
          }
          { attrs.a = 3; }
        ]).attrs;
      expected = {
        a = 3;
        b = 2;
      };
    };
    linesJoin = {
      expr =
        (eval [
          { text = "one"; }
          { text = "two"; }
        ]).text;
      expected = "two\none";
    };
    eitherPicksMatchingType = {
      expr = (eval [ { either = "s"; } ]).either;
      expected = "s";
    };
    submoduleDefaultsAndName = {
      expr = (eval [ { subs.x.size = 2; } ]).subs;
      expected = {
        x = {
          label = "label of x";
          size = 2;
        };
      };
    };
    submoduleMergesDefinitions = {
      expr =
        (eval [
          { subs.x.size = 2; }
          { subs.x.label = "X"; }
        ]).subs.x;
      expected = {
        label = "X";
        size = 2;
      };
    };
    functionModulesSeeConfig = {
      expr =
        (eval [
          { flag = true; }
          ({ config, ... }: { name = if config.flag then "on" else "off"; })
        ]).name;
      expected = "on";
    };
    importsFollowed = {
      expr = (eval [ { imports = [ { name = "imported"; } ]; } ]).name;
      expected = "imported";
    };
    conflictingDefinitionsThrow = {
      expr =
        (eval [
          { name = "a"; }
          { name = "b"; }
        ]).name;
      throws = true;
    };
    wrongTypeThrows = {
      expr = (eval [ { flag = "yes"; } ]).flag;
      throws = true;
    };
    portRangeThrows = {
      expr = (eval [ { nested.deeper = 65536; } ]).nested.deeper;
      throws = true;
    };
    usedButNotDefinedThrows = {
      expr = (eval [ ]).required;
      throws = true;
    };
    undeclaredThrows = {
      expr = (eval [ { nmae = "typo"; } ]).name;
      throws = true;
    };
    nonBooleanMkIfThrows = {
      expr = (eval [ { name = lib.mkIf "yes" "x"; } ]).name;
      throws = true;
    };
  };

  run =
    name: t:
    let
      r = builtins.tryEval (builtins.deepSeq t.expr t.expr);
      show = v: builtins.toJSON v;
    in
    if t.throws or false then
      if r.success then "FAIL ${name}: expected an evaluation error, got ${show r.value}" else "ok ${name}"
    else if !r.success then
      "FAIL ${name}: evaluation error"
    else if r.value == t.expected then
      "ok ${name}"
    else
      "FAIL ${name}:\n  expected ${show t.expected}\n  got      ${show r.value}";
in
{
  inherit tests;
  report = lib.concatStringsSep "\n" (lib.mapAttrsToList run tests) + "\n";
}
