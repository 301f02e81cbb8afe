# Evaluation tests of nix/module.nix against the option stubs: the resulting
# configuration (hardening, credentials, unit ordering, database, nginx, LDAP)
# and the assertions bad configurations trip. `report` is one line per test,
# "ok NAME" or "FAIL NAME: …"; run.sh counts them.
#
#   nix eval --raw -f nix/tests/module-tests.nix report                  # minilib
#   nix eval --raw -f nix/tests/module-tests.nix report \
#     --arg lib 'import /path/to/nixpkgs/lib'                            # real lib
{
  lib ? import ./minilib,
}:
let
  pkgs = import ./stubs/pkgs.nix { inherit lib; };

  eval =
    modules:
    (lib.evalModules {
      modules = [
        ./stubs/nixos.nix
        ../module.nix
      ]
      ++ modules;
      specialArgs = { inherit pkgs; };
    }).config;

  keys = {
    services.bitpoll = {
      enable = true;
      secretKeyFile = "/run/secrets/bitpoll-secret-key";
      encryptionKeyFile = "/run/secrets/bitpoll-encryption-key";
    };
  };

  base = eval [ keys ];
  postgresLocal = eval [
    keys
    {
      services.bitpoll.database = {
        type = "postgresql";
        createLocally = true;
      };
    }
  ];
  postgresRemote = eval [
    keys
    {
      services.bitpoll.database = {
        type = "postgresql";
        host = "db.example.org";
        port = 5433;
        passwordFile = "/run/secrets/bitpoll-db";
      };
    }
  ];
  withNginx = eval [
    keys
    {
      services.bitpoll.nginx = {
        enable = true;
        virtualHost = "polls.example.org";
      };
    }
  ];
  withLdap = eval [
    keys
    {
      services.bitpoll.ldap = {
        enable = true;
        serverUri = "ldaps://ldap.example.org";
        bindDn = "cn=bitpoll,dc=example,dc=org";
        bindPasswordFile = "/run/secrets/bitpoll-ldap";
        userSearchBase = "ou=people,dc=example,dc=org";
      };
    }
  ];

  failed = config: map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);
  # The failed assertions' messages that contain `needle`.
  failsWith = modules: needle: builtins.filter (lib.hasInfix needle) (failed (eval ([ keys ] ++ modules)));

  server = config: config.systemd.services.bitpoll;
  migrate = config: config.systemd.services.bitpoll-migrate;
  pick = names: attrs: lib.filterAttrs (n: _: builtins.elem n names) attrs;

  hardening = {
    AmbientCapabilities = "";
    CapabilityBoundingSet = "";
    DevicePolicy = "closed";
    LockPersonality = true;
    MemoryDenyWriteExecute = true;
    NoNewPrivileges = true;
    PrivateDevices = true;
    PrivateTmp = true;
    PrivateUsers = true;
    ProcSubset = "pid";
    ProtectClock = true;
    ProtectControlGroups = true;
    ProtectHome = true;
    ProtectHostname = true;
    ProtectKernelLogs = true;
    ProtectKernelModules = true;
    ProtectKernelTunables = true;
    ProtectProc = "invisible";
    ProtectSystem = "strict";
    RemoveIPC = true;
    RestrictAddressFamilies = [
      "AF_UNIX"
      "AF_INET"
      "AF_INET6"
    ];
    RestrictNamespaces = true;
    RestrictRealtime = true;
    RestrictSUIDSGID = true;
    SystemCallArchitectures = "native";
    SystemCallFilter = [
      "@system-service"
      "~@privileged"
      "~@resources"
    ];
    UMask = "0077";
    User = "bitpoll";
  };

  secretCredentials = [
    "secret_key:/run/secrets/bitpoll-secret-key"
    "encryption_key:/run/secrets/bitpoll-encryption-key"
  ];

  # name → { expr, expected } or { expr, throws = true }.
  tests = {
    serverHardening = {
      expr = pick (builtins.attrNames hardening) (server base).serviceConfig;
      expected = hardening;
    };
    migrateHardening = {
      expr = pick (builtins.attrNames hardening) (migrate base).serviceConfig;
      expected = hardening;
    };
    packageDefaultsToPkgs = {
      expr = base.services.bitpoll.package.name;
      expected = "bitpoll-stub";
    };
    packageOverride = {
      expr =
        (server (eval [
          keys
          { services.bitpoll.package = pkgs.fakeDrv "bitpoll-patched" { }; }
        ])).serviceConfig.ExecStart;
      expected = "${builtins.storeDir}/00000000000000000000000000000000-bitpoll-patched/bin/bitpoll-server --listen 127.0.0.1:8000";
    };
    serverRestartsOnFailure = {
      expr = (server base).serviceConfig.Restart;
      expected = "on-failure";
    };
    serverListens = {
      expr = (server base).serviceConfig.ExecStart;
      expected = "${pkgs.bitpoll}/bin/bitpoll-server --listen 127.0.0.1:8000";
    };
    serverListensIPv6 = {
      expr =
        (server (eval [
          keys
          {
            services.bitpoll = {
              listenAddress = "::1";
              port = 8123;
            };
          }
        ])).serviceConfig.ExecStart;
      expected = "${pkgs.bitpoll}/bin/bitpoll-server --listen [::1]:8123";
    };
    migrationsBeforeServer = {
      expr = {
        inherit (migrate base) before requiredBy;
        inherit (server base) requires;
        serverAfterMigrate = builtins.elem "bitpoll-migrate.service" (server base).after;
        inherit (migrate base) serviceConfig;
      };
      expected = {
        before = [ "bitpoll.service" ];
        requiredBy = [ "bitpoll.service" ];
        requires = [ "bitpoll-migrate.service" ];
        serverAfterMigrate = true;
        serviceConfig = (migrate base).serviceConfig // {
          Type = "oneshot";
          RemainAfterExit = true;
          ExecStart = "${pkgs.bitpoll}/bin/bitpoll-manage migrate --noinput";
        };
      };
    };
    credentials = {
      expr = map (s: s.serviceConfig.LoadCredential) [
        (server base)
        (migrate base)
      ];
      expected = [
        secretCredentials
        secretCredentials
      ];
    };
    noSecretPathInEnvironmentOrSettings = {
      expr =
        lib.hasInfix "/run/secrets" (
          builtins.toJSON [
            (server base).environment
            base.services.bitpoll.settings
          ]
        )
        || lib.hasInfix "/run/secrets" (
          builtins.toJSON [
            (server withLdap).environment
            withLdap.services.bitpoll.settings
            (server postgresRemote).environment
            postgresRemote.services.bitpoll.settings
          ]
        );
      expected = false;
    };
    environment = {
      expr = (server base).environment;
      expected = {
        BITPOLL_LISTEN = "127.0.0.1:8000";
        BITPOLL_SETTINGS_FILE = "${builtins.storeDir}/00000000000000000000000000000000-bitpoll-settings.json";
        BITPOLL_STATE_DIR = "/var/lib/bitpoll";
      };
    };
    stateDirectory = {
      expr = pick [
        "StateDirectory"
        "WorkingDirectory"
      ] (server base).serviceConfig;
      expected = {
        StateDirectory = "bitpoll";
        WorkingDirectory = "/var/lib/bitpoll";
      };
    };
    extraConfigFile = {
      expr =
        (server (eval [
          keys
          { services.bitpoll.extraConfig = "TIME_ZONE = 'UTC'"; }
        ])).environment.BITPOLL_EXTRA_SETTINGS or null;
      expected = "${builtins.storeDir}/00000000000000000000000000000000-bitpoll-extra-settings.py";
    };
    sqliteSettings = {
      expr = pick [
        "ALLOWED_HOSTS"
        "DATABASES"
        "MEDIA_ROOT"
      ] base.services.bitpoll.settings;
      expected = {
        ALLOWED_HOSTS = [ "localhost" ];
        DATABASES.default = {
          ENGINE = "django.db.backends.sqlite3";
          NAME = "/var/lib/bitpoll/bitpoll.sqlite3";
        };
        MEDIA_ROOT = "/var/lib/bitpoll/media";
      };
    };
    settingsOverrideDerived = {
      expr =
        pick
          [
            "ALLOWED_HOSTS"
            "SITE_NAME"
            "MEDIA_ROOT"
          ]
          (eval [
            keys
            {
              services.bitpoll.settings = {
                ALLOWED_HOSTS = [ "polls.example.org" ];
                SITE_NAME = "Polls";
              };
            }
          ]).services.bitpoll.settings;
      expected = {
        ALLOWED_HOSTS = [ "polls.example.org" ];
        SITE_NAME = "Polls";
        MEDIA_ROOT = "/var/lib/bitpoll/media";
      };
    };
    postgresCreateLocally = {
      expr = {
        inherit (postgresLocal.services.postgresql) enable ensureDatabases ensureUsers;
        migrateAfter = (migrate postgresLocal).after;
        migrateRequires = (migrate postgresLocal).requires;
        database = postgresLocal.services.bitpoll.settings.DATABASES.default;
        failed = failed postgresLocal;
      };
      expected = {
        enable = true;
        ensureDatabases = [ "bitpoll" ];
        ensureUsers = [
          {
            name = "bitpoll";
            ensureDBOwnership = true;
          }
        ];
        migrateAfter = [
          "network.target"
          "postgresql.service"
        ];
        migrateRequires = [ "postgresql.service" ];
        database = {
          ENGINE = "django.db.backends.postgresql";
          NAME = "bitpoll";
          USER = "bitpoll";
          HOST = "/run/postgresql";
        };
        failed = [ ];
      };
    };
    postgresRemote = {
      expr = {
        database = postgresRemote.services.bitpoll.settings.DATABASES.default;
        credentials = (server postgresRemote).serviceConfig.LoadCredential;
        postgresql = postgresRemote.services.postgresql.enable;
        failed = failed postgresRemote;
      };
      expected = {
        database = {
          ENGINE = "django.db.backends.postgresql";
          NAME = "bitpoll";
          USER = "bitpoll";
          HOST = "db.example.org";
          PORT = "5433";
        };
        credentials = secretCredentials ++ [ "db_password:/run/secrets/bitpoll-db" ];
        postgresql = false;
        failed = [ ];
      };
    };
    nginxVirtualHost = {
      expr = {
        inherit (withNginx.services.nginx) enable;
        locations = withNginx.services.nginx.virtualHosts."polls.example.org".locations;
        allowedHosts = withNginx.services.bitpoll.settings.ALLOWED_HOSTS;
        proxyHeader = withNginx.services.bitpoll.settings.SECURE_PROXY_SSL_HEADER;
      };
      expected = {
        enable = true;
        locations = {
          "/" = {
            proxyPass = "http://127.0.0.1:8000";
            recommendedProxySettings = true;
            alias = null;
          };
          "/static/" = {
            proxyPass = null;
            recommendedProxySettings = false;
            alias = "${pkgs.bitpoll}/share/bitpoll/_static/";
          };
        };
        allowedHosts = [
          "localhost"
          "polls.example.org"
        ];
        proxyHeader = [
          "HTTP_X_FORWARDED_PROTO"
          "https"
        ];
      };
    };
    nginxOffByDefault = {
      expr = {
        inherit (base.services.nginx) enable virtualHosts;
      };
      expected = {
        enable = false;
        virtualHosts = { };
      };
    };
    ldapSettings = {
      expr = {
        settings = pick [
          "AUTHENTICATION_BACKENDS"
          "AUTH_LDAP_SERVER_URI"
          "AUTH_LDAP_BIND_DN"
          "AUTH_LDAP_USER_SEARCH_BASE"
          "AUTH_LDAP_USER_SEARCH_FILTER"
          "AUTH_LDAP_USER_ATTR_MAP"
        ] withLdap.services.bitpoll.settings;
        credentials = (server withLdap).serviceConfig.LoadCredential;
        failed = failed withLdap;
      };
      expected = {
        settings = {
          AUTHENTICATION_BACKENDS = [
            "django_auth_ldap.backend.LDAPBackend"
            "django.contrib.auth.backends.ModelBackend"
          ];
          AUTH_LDAP_SERVER_URI = "ldaps://ldap.example.org";
          AUTH_LDAP_BIND_DN = "cn=bitpoll,dc=example,dc=org";
          AUTH_LDAP_USER_SEARCH_BASE = "ou=people,dc=example,dc=org";
          AUTH_LDAP_USER_SEARCH_FILTER = "(uid=%(user)s)";
          AUTH_LDAP_USER_ATTR_MAP = {
            first_name = "givenName";
            last_name = "sn";
            email = "mail";
          };
        };
        credentials = secretCredentials ++ [ "ldap_bind_password:/run/secrets/bitpoll-ldap" ];
        failed = [ ];
      };
    };
    serviceUser = {
      expr = {
        inherit (base.users.users.bitpoll) isSystemUser group home;
        group' = base.users.groups ? bitpoll;
      };
      expected = {
        isSystemUser = true;
        group = "bitpoll";
        home = "/var/lib/bitpoll";
        group' = true;
      };
    };
    manageWrapper = {
      expr =
        let
          w = builtins.head base.environment.systemPackages;
        in
        {
          inherit (w) name;
          systemdRun = lib.hasInfix "exec systemd-run" w.text;
          credential = lib.hasInfix "--property=LoadCredential=secret_key:/run/secrets/bitpoll-secret-key" w.text;
          command = lib.hasInfix "${pkgs.bitpoll}/bin/bitpoll-manage \"$@\"" w.text;
        };
      expected = {
        name = "bitpoll-manage";
        systemdRun = true;
        credential = true;
        command = true;
      };
    };
    validConfigurationsPass = {
      expr = map failed [
        base
        withNginx
      ];
      expected = [
        [ ]
        [ ]
      ];
    };
    disabledDefinesNothing = {
      expr =
        let
          c = eval [ ];
        in
        {
          services = builtins.attrNames c.systemd.services;
          inherit (c) assertions;
          packages = c.environment.systemPackages;
        };
      expected = {
        services = [ ];
        assertions = [ ];
        packages = [ ];
      };
    };
    userCanForceHardening = {
      expr =
        (server (eval [
          keys
          { systemd.services.bitpoll.serviceConfig.MemoryDenyWriteExecute = lib.mkForce false; }
        ])).serviceConfig.MemoryDenyWriteExecute;
      expected = false;
    };

    assertSecretKeyFile = {
      expr = builtins.length (failsWith [ { services.bitpoll.secretKeyFile = lib.mkForce null; } ] "secretKeyFile must be set");
      expected = 1;
    };
    assertEncryptionKeyFile = {
      expr = builtins.length (failsWith [ { services.bitpoll.encryptionKeyFile = lib.mkForce null; } ] "encryptionKeyFile must be set");
      expected = 1;
    };
    assertSecretNotInStore = {
      expr = failsWith [
        {
          services.bitpoll.secretKeyFile = lib.mkForce "${builtins.storeDir}/00000000000000000000000000000000-key";
        }
      ] "Nix store";
      expected = [
        "services.bitpoll.secretKeyFile = ${builtins.storeDir}/00000000000000000000000000000000-key is in the Nix store, which every user can read; use a file outside the store, e.g. under /run/secrets or /var/lib/secrets."
      ];
    };
    assertPasswordFileNotInStore = {
      expr = builtins.length (failsWith [
        {
          services.bitpoll.database = {
            type = "postgresql";
            passwordFile = "${builtins.storeDir}/00000000000000000000000000000000-pw";
          };
        }
      ] "database.passwordFile = ${builtins.storeDir}");
      expected = 1;
    };
    assertPostgresName = {
      expr = failsWith [
        {
          services.bitpoll.database = {
            type = "postgresql";
            name = "";
          };
        }
      ] "database.name";
      expected = [ "services.bitpoll.database.name must not be empty with database.type = \"postgresql\"." ];
    };
    assertCreateLocallyRemoteHost = {
      expr = builtins.length (failsWith [
        {
          services.bitpoll.database = {
            type = "postgresql";
            createLocally = true;
            host = "db.example.org";
          };
        }
      ] "names a remote one");
      expected = 1;
    };
    assertCreateLocallyPasswordFile = {
      expr = builtins.length (failsWith [
        {
          services.bitpoll.database = {
            type = "postgresql";
            createLocally = true;
            passwordFile = "/run/secrets/bitpoll-db";
          };
        }
      ] "passwordFile is not used with database.createLocally");
      expected = 1;
    };
    assertCreateLocallyNeedsPostgres = {
      expr = builtins.length (failsWith [
        { services.bitpoll.database.createLocally = true; }
      ] "createLocally needs database.type");
      expected = 1;
    };
    assertCreateLocallyUser = {
      expr = builtins.length (failsWith [
        {
          services.bitpoll.database = {
            type = "postgresql";
            createLocally = true;
            user = "polls";
          };
        }
      ] "peer authentication maps");
      expected = 1;
    };
    assertLdapServerUri = {
      expr = failsWith [
        {
          services.bitpoll.ldap = {
            enable = true;
            userSearchBase = "ou=people,dc=example,dc=org";
          };
        }
      ] "ldap";
      expected = [ "services.bitpoll.ldap.enable needs ldap.serverUri." ];
    };
    assertLdapSearchBase = {
      expr = failsWith [
        {
          services.bitpoll.ldap = {
            enable = true;
            serverUri = "ldap://ldap";
          };
        }
      ] "ldap";
      expected = [ "services.bitpoll.ldap.enable needs ldap.userSearchBase." ];
    };
    assertNoSecretInSettings = {
      expr = builtins.length (failsWith [ { services.bitpoll.settings.SECRET_KEY = "oops"; } ] "must not hold SECRET_KEY");
      expected = 1;
    };
    assertDataDir = {
      expr = builtins.length (failsWith [ { services.bitpoll.dataDir = "/srv/bitpoll"; } ] "must lie under /var/lib/");
      expected = 1;
    };

    typePortRange = {
      expr = (server (eval [
        keys
        { services.bitpoll.port = 70000; }
      ])).serviceConfig.ExecStart;
      throws = true;
    };
    typeSecretPathAbsolute = {
      expr = (server (eval [
        keys
        { services.bitpoll.secretKeyFile = lib.mkForce "relative/key"; }
      ])).serviceConfig.LoadCredential;
      throws = true;
    };
    typeDatabaseEnum = {
      expr = (eval [
        keys
        { services.bitpoll.database.type = "mysql"; }
      ]).services.bitpoll.settings.DATABASES;
      throws = true;
    };
    undeclaredOption = {
      expr = (eval [
        keys
        { services.bitpoll.listenAdress = "::"; }
      ]).services.bitpoll.enable;
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
