# Checks on flake.nix's outputs, evaluated with its inputs replaced by stubs
# (flake-stub/ for nixpkgs, an empty tree for Bitpoll's source): run.sh locks
# a copy of the flake to them and passes `builtins.getFlake` of it here.
# Same report format as module-tests.nix.
{
  flake,
  lib ? import ./minilib,
}:
let
  system = "x86_64-linux";
  pkgs = flake.inputs.nixpkgs.legacyPackages.${system};

  # A NixOS configuration of the given modules, on the option stubs.
  evalNixos =
    modules:
    (lib.evalModules {
      modules = [
        ./stubs/nixos.nix
        ./stubs/vm-options.nix
      ]
      ++ modules;
      specialArgs = { inherit pkgs; };
    }).config;

  failed = config: map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);

  vm = flake.checks.${system}.vm;

  # With nixpkgs' lib the Go source filter (lib.fileset) can be checked;
  # minilib has no fileset, and recent lib.fileset needs
  # builtins.readFileType, which Nix 2.8 lacks.
  filesetTests = lib.optionalAttrs (lib ? fileset && builtins ? readFileType) {
    goSourceFiltered = {
      expr =
        let
          src = flake.packages.${system}.pip2nix-bitpoll.src;
        in
        map (p: builtins.pathExists "${src}/${p}") [
          "go.mod"
          "go.sum"
          "pypi"
          "recorded"
          "flake.nix"
          "nix"
          "README.md"
        ];
      expected = [
        true
        true
        true
        true
        false
        false
        false
      ];
    };
  };

  tests = filesetTests // {
    outputNames = {
      expr = builtins.filter (
        n:
        !(builtins.elem n [
          "inputs"
          "outputs"
          "outPath"
          "sourceInfo"
          "narHash"
          "lastModified"
          "lastModifiedDate"
          "_type"
        ])
      ) (builtins.attrNames flake);
      expected = [
        "apps"
        "checks"
        "devShells"
        "formatter"
        "nixosModules"
        "overlays"
        "packages"
      ];
    };
    systems = {
      expr = builtins.attrNames flake.packages;
      expected = [
        "aarch64-linux"
        "x86_64-linux"
      ];
    };
    packages = {
      expr = lib.mapAttrs (_: p: {
        inherit (p) type name;
      }) flake.packages.${system};
      expected = {
        bitpoll = {
          type = "derivation";
          name = "bitpoll-0-unstable-2024-11-23";
        };
        default = {
          type = "derivation";
          name = "bitpoll-0-unstable-2024-11-23";
        };
        pip2nix-bitpoll = {
          type = "derivation";
          name = "pip2nix-bitpoll-0.1.0";
        };
      };
    };
    bitpollUsesPinnedSource = {
      expr = flake.packages.${system}.bitpoll.src.outPath == flake.inputs.bitpoll.outPath;
      expected = true;
    };
    vendorHashIsSRI = {
      expr = builtins.match "sha256-[A-Za-z0-9+/]{43}=" flake.packages.${system}.pip2nix-bitpoll.vendorHash != null;
      expected = true;
    };
    apps = {
      expr = lib.mapAttrs (_: a: {
        inherit (a) type;
        program = builtins.baseNameOf a.program;
      }) flake.apps.${system};
      expected = {
        bitpoll-manage = {
          type = "app";
          program = "bitpoll-manage";
        };
        bitpoll-server = {
          type = "app";
          program = "bitpoll-server";
        };
        default = {
          type = "app";
          program = "bitpoll-server";
        };
        pip2nix-bitpoll = {
          type = "app";
          program = "pip2nix-bitpoll-regenerate";
        };
      };
    };
    overlay = {
      expr =
        let
          final = pkgs // applied;
          applied = flake.overlays.default final pkgs;
        in
        {
          names = builtins.attrNames applied;
          bitpoll = applied.bitpoll.name;
          extensions = builtins.length applied.pythonPackagesExtensions;
        };
      expected = {
        names = [
          "bitpoll"
          "pip2nix-bitpoll"
          "pythonPackagesExtensions"
        ];
        bitpoll = "bitpoll-0-unstable-2024-11-23";
        extensions = 1;
      };
    };
    moduleDefaultsToFlakePackage = {
      expr =
        (evalNixos [
          flake.nixosModules.default
          {
            services.bitpoll = {
              enable = true;
              secretKeyFile = "/run/secrets/k";
              encryptionKeyFile = "/run/secrets/e";
            };
          }
        ]).services.bitpoll.package.name;
      expected = "bitpoll-0-unstable-2024-11-23";
    };
    vmTestNodesPassAssertions = {
      expr = lib.mapAttrs (_: node: failed (evalNixos [ node ])) vm.nodes;
      expected = {
        sqlite = [ ];
        postgresql = [ ];
      };
    };
    vmTestNodes = {
      expr =
        let
          sqlite = evalNixos [ vm.nodes.sqlite ];
          postgresql = evalNixos [ vm.nodes.postgresql ];
        in
        {
          nginx = builtins.attrNames sqlite.services.nginx.virtualHosts;
          postgres = postgresql.services.postgresql.ensureDatabases;
          sqliteDb = sqlite.services.bitpoll.settings.DATABASES.default.ENGINE;
        };
      expected = {
        nginx = [ "localhost" ];
        postgres = [ "bitpoll" ];
        sqliteDb = "django.db.backends.sqlite3";
      };
    };
    checks = {
      expr = builtins.attrNames flake.checks.${system};
      expected = [
        "bitpoll"
        "pip2nix-bitpoll"
        "python-packages-up-to-date"
        "vm"
      ];
    };
    upToDateCommand = {
      expr =
        let
          script = flake.checks.${system}.python-packages-up-to-date.script;
        in
        map (f: lib.hasInfix f script) [
          "pip2nix-bitpoll generate"
          "--check"
          "/fixtures/index"
          "/python-packages.nix"
        ];
      expected = [
        true
        true
        true
        true
      ];
    };
    devShell = {
      expr = map (p: p.name) flake.devShells.${system}.default.packages;
      expected = [
        "go"
        "gopls"
        "nixfmt"
        "nix"
        "python3"
      ];
    };
    formatter = {
      expr = flake.formatter.${system}.name;
      expected = "nixfmt";
    };
  };

  run =
    name: t:
    let
      r = builtins.tryEval (builtins.deepSeq t.expr t.expr);
      show = v: builtins.toJSON v;
    in
    if !r.success then
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
