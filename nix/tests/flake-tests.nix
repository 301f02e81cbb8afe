# Checks on flake.nix's outputs, evaluated with its inputs replaced by stubs
# (flake-stub/ for nixpkgs, an empty tree for Bitpoll's source): run.sh locks
# a copy of the flake to them and passes `builtins.getFlake` of it here.
# Same report format as module-tests.nix.
{
  flake,
  lib,
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

  # The Go source filter (lib.fileset) can only be checked on a Nix with
  # builtins.readFileType, which recent lib.fileset needs and Nix 2.8 lacks.
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
          "facts"
          "lockfile"
          "nixmap"
          "flake.nix"
          "nix"
          "README.md"
          "docs"
          "audit"
        ];
      expected = [
        true
        true
        true
        true
        true
        true
        true
        false
        false
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
        "aarch64-darwin"
        "aarch64-linux"
        "x86_64-darwin"
        "x86_64-linux"
      ];
    };
    darwinOutputs = {
      expr = {
        devShell = flake.devShells.aarch64-darwin.default.name;
        bitpoll = flake.packages.aarch64-darwin.bitpoll.name;
        checks = builtins.attrNames flake.checks.aarch64-darwin;
      };
      expected = {
        devShell = "shell";
        bitpoll = "bitpoll-0-unstable-2024-11-23";
        # No NixOS VM on macOS.
        checks = [
          "bitpoll"
          "module-tests"
          "pip2nix-bitpoll"
          "python-packages-up-to-date"
        ];
      };
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
        bitpoll-local = {
          type = "app";
          program = "bitpoll-local";
        };
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
          program = "bitpoll-local";
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
          # Bitpoll's Python carries the generated overrides itself.
          privateOverrides =
            builtins.attrNames (applied.bitpoll.passthru.python.packageOverrides { } { })
            == builtins.attrNames (import "${flake}/python-packages.nix" { } { });
          nonEmpty = applied.bitpoll.passthru.python.packageOverrides { } { } != { };
        };
      expected = {
        names = [
          "bitpoll"
          "pip2nix-bitpoll"
        ];
        bitpoll = "bitpoll-0-unstable-2024-11-23";
        privateOverrides = true;
        nonEmpty = true;
      };
    };
    moduleDefaultsToFlakePackage = {
      expr =
        (evalNixos [
          flake.nixosModules.default
          {
            services.bitpoll.enable = true;
          }
        ]).services.bitpoll.package.name;
      expected = "bitpoll-0-unstable-2024-11-23";
    };
    moduleExtraPythonPackages = {
      expr =
        let
          c = evalNixos [
            flake.nixosModules.default
            {
              services.bitpoll = {
                enable = true;
                extraPythonPackages = ps: [ ps.django-allauth ];
              };
            }
          ];
        in
        {
          name = c.services.bitpoll.finalPackage.name;
          server = lib.hasPrefix "${c.services.bitpoll.finalPackage}/bin/bitpoll-server " c.systemd.services.bitpoll.serviceConfig.ExecStart;
        };
      expected = {
        name = "bitpoll-0-unstable-2024-11-23";
        server = true;
      };
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
        "module-tests"
        "pip2nix-bitpoll"
        "python-packages-up-to-date"
        "vm"
      ];
    };
    moduleTestsCheck = {
      expr =
        let
          report = flake.checks.${system}.module-tests.env.report;
        in
        {
          fails = lib.hasInfix "FAIL" report;
          count = builtins.length (builtins.filter (l: lib.hasPrefix "ok " l) (lib.splitString "\n" report)) > 50;
          failsTheBuild = lib.hasInfix "grep -q '^FAIL'" flake.checks.${system}.module-tests.script;
        };
      expected = {
        fails = false;
        count = true;
        failsTheBuild = true;
      };
    };
    upToDateCommand = {
      expr =
        let
          script = flake.checks.${system}.python-packages-up-to-date.script;
        in
        map (f: lib.hasInfix f script) [
          "pip2nix-bitpoll generate"
          "--check"
          "/requirements-production.txt"
          "/python-packages.nix"
          "/pip2nix.lock"
          "/pip2nix.toml"
          "/audit/bitpoll.md"
          "/audit/bitpoll.json"
          # Offline: the lock alone, never an index or the fixtures.
          "--index-url"
          "/fixtures/"
        ];
      expected = [
        true
        true
        true
        true
        true
        true
        true
        true
        false
        false
      ];
    };
    devShell = {
      expr = {
        packages = map (p: p.name) flake.devShells.${system}.default.packages;
        keys = lib.hasInfix "/libexec/bitpoll/prepare-keys \"$BITPOLL_STATE_DIR/keys\"" flake.devShells.${system}.default.shellHook;
        settings = lib.hasInfix "BITPOLL_SETTINGS_FILE=" flake.devShells.${system}.default.shellHook;
      };
      expected = {
        packages = [
          "go"
          "gopls"
          "nixfmt"
          "nix"
          "python3-env"
          "bitpoll-0-unstable-2024-11-23"
        ];
        keys = true;
        settings = true;
      };
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
