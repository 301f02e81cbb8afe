# Evaluation tests of nix/module.nix with nixpkgs' lib (its real module
# system) and the NixOS option declarations the module relies on
# (stubs/nixos.nix): the resulting configuration (hardening, credentials,
# generated keys, unit ordering, database, gunicorn, mail, OpenID, nginx,
# LDAP, the maintenance timer, settings merging) and the assertions bad
# configurations trip. `report` is one line per test, "ok NAME" or
# "FAIL NAME: …"; run.sh counts them, and the flake's check
# `module-tests` fails on any FAIL.
#
#   nix eval --raw -f nix/tests/module-tests.nix report \
#     --arg lib 'import /path/to/nixpkgs/lib'
{ lib }:
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

  # Nothing but enable: keys generated on first start.
  bare = eval [ { services.bitpoll.enable = true; } ];
  keysUnit = config: config.systemd.services.bitpoll-keys;
  maintenance = config: config.systemd.services.bitpoll-maintenance;
  # A package whose Python set holds simple-openid-connect at `version`
  # (synthetic); `override` keeps it.
  openidPackage =
    version:
    let
      package = pkgs.overridable "bitpoll-openid" { } // {
        python.pkgs.simple-openid-connect.version = version;
        override = _: package;
      };
    in
    package;

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
          { services.bitpoll.package = pkgs.overridable "bitpoll-patched" { }; }
        ])).serviceConfig.ExecStart;
      expected = "${builtins.storeDir}/00000000000000000000000000000000-bitpoll-patched/bin/bitpoll-server --listen 127.0.0.1:8000 --workers 2 --threads 4";
    };
    serverRestartsOnFailure = {
      expr = (server base).serviceConfig.Restart;
      expected = "on-failure";
    };
    serverListens = {
      expr = (server base).serviceConfig.ExecStart;
      expected = "${pkgs.bitpoll}/bin/bitpoll-server --listen 127.0.0.1:8000 --workers 2 --threads 4";
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
      expected = "${pkgs.bitpoll}/bin/bitpoll-server --listen [::1]:8123 --workers 2 --threads 4";
    };
    migrationsBeforeServer = {
      expr = {
        inherit (migrate base) before requiredBy;
        inherit (server base) requires;
        serverAfterMigrate = builtins.elem "bitpoll-migrate.service" (server base).after;
        inherit (pick [ "Type" "RemainAfterExit" ] (migrate base).serviceConfig) Type RemainAfterExit;
        migrates = lib.hasInfix "${pkgs.bitpoll}/bin/bitpoll-manage migrate --noinput\n" (migrate base).script;
        checksKeyAfter = lib.hasSuffix "exec ${pkgs.bitpoll}/bin/bitpoll-manage check_encryption_key\n" (migrate base).script;
      };
      expected = {
        before = [ "bitpoll.service" ];
        requiredBy = [ "bitpoll.service" ];
        requires = [
          "bitpoll-keys.service"
          "bitpoll-migrate.service"
        ];
        serverAfterMigrate = true;
        Type = "oneshot";
        RemainAfterExit = true;
        migrates = true;
        checksKeyAfter = true;
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
          "bitpoll-keys.service"
          "postgresql.service"
        ];
        migrateRequires = [
          "bitpoll-keys.service"
          "postgresql.service"
        ];
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
            extraConfig = "";
          };
          "/static/" = {
            proxyPass = null;
            recommendedProxySettings = false;
            extraConfig = "";
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
          timers = builtins.attrNames c.systemd.timers;
          inherit (c) assertions;
          packages = c.environment.systemPackages;
        };
      expected = {
        services = [ ];
        timers = [ ];
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
      expr = failsWith [
        {
          services.bitpoll.settings = {
            SECRET_KEY = "oops";
            EMAIL_HOST_PASSWORD = "oops";
            SITE_NAME = "fine";
          };
          services.bitpoll.mail.passwordFile = "/run/secrets/mail";
        }
      ] "must not hold";
      expected = [
        "services.bitpoll.settings must not hold SECRET_KEY, EMAIL_HOST_PASSWORD: it is written to the world-readable store; use secretKeyFile, encryptionKeyFile, ldap.bindPasswordFile, mail.passwordFile, openid.clientSecretFile or secretFiles."
      ];
    };
    assertDataDir = {
      expr = builtins.length (failsWith [ { services.bitpoll.dataDir = "/srv/bitpoll"; } ] "must lie under /var/lib/");
      expected = 1;
    };

    # Issue 13, item 6: enable alone is enough; keys are generated.
    enableAlonePasses = {
      expr = failed bare;
      expected = [ ];
    };
    generatedKeysAsCredentials = {
      expr = map (u: lib.take 2 u.serviceConfig.LoadCredential) [
        (server bare)
        (migrate bare)
        (maintenance bare)
      ];
      expected = lib.replicate 3 [
        "secret_key:/var/lib/bitpoll/keys/secret_key"
        "encryption_key:/var/lib/bitpoll/keys/encryption_key"
      ];
    };
    keysUnit = {
      expr = {
        inherit (keysUnit bare) requiredBy before;
        user = (keysUnit bare).serviceConfig.User or "root";
        inherit (pick [ "Type" "RemainAfterExit" "UMask" ] (keysUnit bare).serviceConfig) Type RemainAfterExit UMask;
        generates = lib.hasInfix "-bitpoll-prepare-keys /var/lib/bitpoll/keys '' ''\n" (keysUnit bare).script;
        createsStateDirAsBitpoll = lib.hasInfix "install -d -m 0750 -o bitpoll -g bitpoll /var/lib/bitpoll" (keysUnit bare).script;
        serverRequires = builtins.elem "bitpoll-keys.service" (server bare).requires;
        noKeyInStore = !(lib.hasInfix "/nix/store" (lib.concatStringsSep " " (server bare).serviceConfig.LoadCredential));
      };
      expected = {
        requiredBy = [
          "bitpoll-migrate.service"
          "bitpoll.service"
          "bitpoll-maintenance.service"
        ];
        before = [
          "bitpoll-migrate.service"
          "bitpoll.service"
          "bitpoll-maintenance.service"
        ];
        user = "root";
        Type = "oneshot";
        RemainAfterExit = true;
        UMask = "0077";
        generates = true;
        createsStateDirAsBitpoll = true;
        serverRequires = true;
        noKeyInStore = true;
      };
    };
    givenKeyFilesWin = {
      expr = {
        credentials = lib.take 2 (server base).serviceConfig.LoadCredential;
        passed = lib.hasInfix "/var/lib/bitpoll/keys /run/secrets/bitpoll-secret-key /run/secrets/bitpoll-encryption-key" (keysUnit base).script;
      };
      expected = {
        credentials = secretCredentials;
        passed = true;
      };
    };

    # Item 1: user settings merge recursively over the derived ones.
    settingsMergeRecursively = {
      expr =
        (eval [
          {
            services.bitpoll.enable = true;
            services.bitpoll.settings.DATABASES.default.CONN_MAX_AGE = 60;
            services.bitpoll.settings.ALLOWED_HOSTS = [ "polls.example.org" ];
          }
        ]).services.bitpoll.settings;
      expected = bare.services.bitpoll.settings // {
        DATABASES.default = {
          ENGINE = "django.db.backends.sqlite3";
          NAME = "/var/lib/bitpoll/bitpoll.sqlite3";
          CONN_MAX_AGE = 60;
        };
        ALLOWED_HOSTS = [ "polls.example.org" ];
      };
    };
    settingsOverrideNestedDerived = {
      expr =
        (eval [
          {
            services.bitpoll.enable = true;
            services.bitpoll.database.type = "postgresql";
            services.bitpoll.settings.DATABASES.default.HOST = "db.internal";
          }
        ]).services.bitpoll.settings.DATABASES.default;
      expected = {
        ENGINE = "django.db.backends.postgresql";
        NAME = "bitpoll";
        USER = "bitpoll";
        HOST = "db.internal";
      };
    };

    # Item 2: gunicorn concurrency.
    gunicornOptions = {
      expr =
        (server (eval [
          {
            services.bitpoll.enable = true;
            services.bitpoll.gunicorn = {
              workers = 5;
              threads = 1;
              extraArgs = [
                "--timeout=120"
                "--access-logformat=%(h)s $x \"q\""
              ];
            };
          }
        ])).serviceConfig.ExecStart;
      expected = ''${pkgs.bitpoll}/bin/bitpoll-server --listen 127.0.0.1:8000 --workers 5 --threads 1 "--timeout=120" "--access-logformat=%%(h)s $$x \"q\""'';
    };
    gunicornWorkersPositive = {
      expr = (server (eval [
        {
          services.bitpoll.enable = true;
          services.bitpoll.gunicorn.workers = 0;
        }
      ])).serviceConfig.ExecStart;
      throws = true;
    };

    # Item 3: a remote database waits for the network; retries are bounded.
    remoteDatabaseWaitsForNetwork = {
      expr = {
        inherit (migrate postgresRemote) wants;
        after = builtins.elem "network-online.target" (migrate postgresRemote).after;
      };
      expected = {
        wants = [ "network-online.target" ];
        after = true;
      };
    };
    localDatabasesDoNotWaitForNetwork = {
      expr = map (c: {
        inherit (migrate c) wants;
        after = builtins.elem "network-online.target" (migrate c).after;
      }) [
        base
        postgresLocal
        (eval [
          keys
          {
            services.bitpoll.database = {
              type = "postgresql";
              host = "/run/postgresql";
            };
          }
        ])
      ];
      expected = lib.replicate 3 {
        wants = [ ];
        after = false;
      };
    };
    migrationRetriesBounded = {
      expr =
        let
          script = (migrate (eval [
            keys
            { services.bitpoll.database.connectAttempts = 7; }
          ])).script;
        in
        {
          probe = lib.hasInfix "until ${pkgs.bitpoll}/bin/bitpoll-manage showmigrations --plan >/dev/null; do" script;
          limit = lib.hasInfix ''if [ "$attempt" -ge 7 ]; then'' script;
          fails = lib.hasInfix "exit 1" script;
          waits = lib.hasInfix "sleep 5" script;
        };
      expected = {
        probe = true;
        limit = true;
        fails = true;
        waits = true;
      };
    };

    backupBeforeMigrate = {
      expr =
        let
          sqlite = (migrate (eval [
            keys
            {
              services.bitpoll.database = {
                backupBeforeMigrate = true;
                backupsToKeep = 5;
              };
            }
          ])).script;
          remote = (migrate (eval [
            keys
            {
              services.bitpoll.database = {
                type = "postgresql";
                host = "db.example.org";
                port = 5433;
                passwordFile = "/run/secrets/db";
                backupBeforeMigrate = true;
              };
            }
          ])).script;
          before = script: needle: lib.hasInfix needle (builtins.head (lib.splitString "bitpoll-manage migrate --noinput" script));
        in
        {
          onlyWhenPending = before sqlite "showmigrations --plan | grep -q '^\\[ \\]'; then";
          sqlite = before sqlite "${pkgs.sqlite}/bin/sqlite3 /var/lib/bitpoll/bitpoll.sqlite3 \".backup '/var/lib/bitpoll/backups/pre-migrate-$(date -u +%Y%m%dT%H%M%SZ).sqlite3'\"";
          keeps = lib.hasInfix "tail -n +6 | xargs -r rm -f --" sqlite;
          pgDump = before remote "${pkgs.postgresql}/bin/pg_dump --format=custom --file=\"/var/lib/bitpoll/backups/pre-migrate-$(date -u +%Y%m%dT%H%M%SZ).pgdump\" \\\n  '--dbname=bitpoll' '--username=bitpoll' '--host=db.example.org' '--port=5433'";
          password = before remote "PGPASSWORD=$(cat \"$CREDENTIALS_DIRECTORY/db_password\")";
          offByDefault = lib.hasInfix "backups" (migrate base).script;
        };
      expected = {
        onlyWhenPending = true;
        sqlite = true;
        keeps = true;
        pgDump = true;
        password = true;
        offByDefault = false;
      };
    };

    # Item 4: every secret through a file.
    secretFilesAsCredentials = {
      expr = lib.drop 2 (server (eval [
        {
          services.bitpoll = {
            enable = true;
            secretFiles.SENTRY_DSN = "/run/secrets/sentry";
            mail.passwordFile = "/run/secrets/mail";
            openid = {
              enable = true;
              issuer = "https://id.example.org";
              clientId = "bitpoll";
              clientSecretFile = "/run/secrets/oidc";
            };
          };
        }
      ])).serviceConfig.LoadCredential;
      expected = [
        "setting_EMAIL_HOST_PASSWORD:/run/secrets/mail"
        "setting_OPENID_CLIENT_SECRET:/run/secrets/oidc"
        "setting_SENTRY_DSN:/run/secrets/sentry"
      ];
    };
    assertSecretFileName = {
      expr = failsWith [ { services.bitpoll.secretFiles."sentry-dsn" = "/run/secrets/s"; } ] "secretFiles";
      expected = [
        "services.bitpoll.secretFiles: sentry-dsn is not a Django setting name (upper case letters, digits and _)."
      ];
    };
    assertSecretFileNotInStore = {
      expr = builtins.length (failsWith [
        { services.bitpoll.secretFiles.SENTRY_DSN = "${builtins.storeDir}/00000000000000000000000000000000-dsn"; }
      ] "secretFiles.SENTRY_DSN = ${builtins.storeDir}");
      expected = 1;
    };
    assertSecretFileNotInSettings = {
      expr = builtins.length (failsWith [
        {
          services.bitpoll.secretFiles.SENTRY_DSN = "/run/secrets/s";
          services.bitpoll.settings.SENTRY_DSN = "https://x@sentry";
        }
      ] "must not hold SENTRY_DSN");
      expected = 1;
    };

    # Item 5: the maintenance timer.
    maintenanceTimer = {
      expr = {
        inherit (bare.systemd.timers.bitpoll-maintenance) wantedBy timerConfig;
        script = (maintenance bare).script;
        inherit (maintenance bare) requires;
        type = (maintenance bare).serviceConfig.Type;
        hardened = pick (builtins.attrNames hardening) (maintenance bare).serviceConfig == hardening;
      };
      expected = {
        wantedBy = [ "timers.target" ];
        timerConfig = {
          OnCalendar = "daily";
          Persistent = true;
          RandomizedDelaySec = "1h";
        };
        script = "${pkgs.bitpoll}/bin/bitpoll-manage clearsessions\n";
        requires = [
          "bitpoll-keys.service"
          "bitpoll-migrate.service"
        ];
        type = "oneshot";
        hardened = true;
      };
    };
    maintenanceCommands = {
      expr =
        (maintenance (eval [
          {
            services.bitpoll.enable = true;
            services.bitpoll.maintenance.commands = [
              [ "clearsessions" ]
              [
                "cleanup"
                "--older-than"
                "30 days"
              ]
            ];
          }
        ])).script;
      expected = "${pkgs.bitpoll}/bin/bitpoll-manage clearsessions\n${pkgs.bitpoll}/bin/bitpoll-manage cleanup --older-than '30 days'\n";
    };

    # simple_openid_connect's clear-expired-openid-sessions (2.2.0 and
    # later) joins the default commands with OpenID login, never before.
    maintenanceOpenidSessions = {
      expr =
        map
          (
            { openid, version }:
            (eval [
              {
                services.bitpoll = {
                  enable = true;
                  package = openidPackage version;
                  openid = lib.optionalAttrs openid {
                    enable = true;
                    issuer = "https://id.example.org/realms/x";
                    clientId = "bitpoll";
                  };
                };
              }
            ]).services.bitpoll.maintenance.commands
          )
          [
            {
              openid = true;
              version = "2.2.0";
            }
            {
              openid = true;
              version = "1.0.1";
            }
            {
              openid = false;
              version = "2.4.0";
            }
          ];
      expected = [
        [
          [ "clearsessions" ]
          [ "clear-expired-openid-sessions" ]
        ]
        [ [ "clearsessions" ] ]
        [ [ "clearsessions" ] ]
      ];
    };
    maintenanceOpenidWithoutPythonSet = {
      expr =
        (eval [
          {
            services.bitpoll = {
              enable = true;
              openid = {
                enable = true;
                issuer = "https://id.example.org/realms/x";
                clientId = "bitpoll";
              };
            };
          }
        ]).services.bitpoll.maintenance.commands;
      expected = [ [ "clearsessions" ] ];
    };

    # Item 7: typed mail options.
    mailSettings = {
      expr = map (c: pick [
        "EMAIL_HOST"
        "EMAIL_PORT"
        "EMAIL_USE_TLS"
        "EMAIL_USE_SSL"
        "EMAIL_HOST_USER"
        "DEFAULT_FROM_EMAIL"
        "SERVER_EMAIL"
      ] c.services.bitpoll.settings) [
        bare
        (eval [
          {
            services.bitpoll.enable = true;
            services.bitpoll.mail = {
              host = "smtp.example.org";
              port = 587;
              security = "starttls";
              user = "bitpoll";
              from = "polls@example.org";
            };
          }
        ])
      ];
      expected = [
        {
          EMAIL_HOST = "localhost";
          EMAIL_PORT = 25;
          EMAIL_USE_TLS = false;
          EMAIL_USE_SSL = false;
        }
        {
          EMAIL_HOST = "smtp.example.org";
          EMAIL_PORT = 587;
          EMAIL_USE_TLS = true;
          EMAIL_USE_SSL = false;
          EMAIL_HOST_USER = "bitpoll";
          DEFAULT_FROM_EMAIL = "polls@example.org";
          SERVER_EMAIL = "polls@example.org";
        }
      ];
    };
    openidSettings = {
      expr =
        let
          c = eval [
            {
              services.bitpoll.enable = true;
              services.bitpoll.openid = {
                enable = true;
                issuer = "https://id.example.org/realms/x";
                clientId = "bitpoll";
                adminGroups = "admins";
              };
            }
          ];
        in
        pick [
          "OPENID_ENABLED"
          "GROUP_MANAGEMENT"
          "INSTALLED_APPS_LOCAL"
          "OPENID_ISSUER"
          "OPENID_CLIENT_ID"
          "OPENID_ADMIN_GROUPS"
          "LOGIN_URL"
        ] c.services.bitpoll.settings
        // {
          failed = failed c;
        };
      expected = {
        OPENID_ENABLED = true;
        GROUP_MANAGEMENT = false;
        INSTALLED_APPS_LOCAL = [ "simple_openid_connect.integrations.django" ];
        OPENID_ISSUER = "https://id.example.org/realms/x";
        OPENID_CLIENT_ID = "bitpoll";
        OPENID_ADMIN_GROUPS = "admins";
        LOGIN_URL = "simple_openid_connect_django:login";
        failed = [ ];
      };
    };
    assertOpenidIssuer = {
      expr = failsWith [ { services.bitpoll.openid.enable = true; } ] "openid";
      expected = [ "services.bitpoll.openid.enable needs openid.issuer and openid.clientId." ];
    };

    # Issue 11, item 8: extra Python packages through the package.
    extraPythonPackages = {
      expr =
        let
          c = eval [
            keys
            { services.bitpoll.extraPythonPackages = ps: [ ps.django-allauth ]; }
          ];
        in
        {
          extra = map (p: p.name) (
            (c.services.bitpoll.finalPackage.args.extraPythonPackages or (_: [ ])) {
              django-allauth = pkgs.fakeDrv "allauth" { };
            }
          );
          serverUsesIt = lib.hasPrefix "${c.services.bitpoll.finalPackage}/bin/" (server c).serviceConfig.ExecStart;
        };
      expected = {
        extra = [ "allauth" ];
        serverUsesIt = true;
      };
    };

    # Item 9: NixOS's merge behaviour, which the module relies on.
    moduleImportedTwice = {
      expr = failed (eval [
        ../module.nix
        keys
      ]);
      expected = [ ];
    };
    serviceConfigListsConcatenate = {
      expr =
        (server (eval [
          keys
          { systemd.services.bitpoll.serviceConfig.SystemCallFilter = [ "@chown" ]; }
        ])).serviceConfig.SystemCallFilter;
      expected = [
        "@system-service"
        "~@privileged"
        "~@resources"
        "@chown"
      ];
    };
    serviceConfigScalarConflict = {
      expr =
        (server (eval [
          keys
          { systemd.services.bitpoll.serviceConfig.ProtectSystem = "full"; }
        ])).serviceConfig.ProtectSystem;
      throws = true;
    };
    serviceConfigChecked = {
      expr =
        (server (eval [
          keys
          { systemd.services.bitpoll.serviceConfig.Restart = "sometimes"; }
        ])).serviceConfig;
      throws = true;
    };
    unitNamesChecked = {
      expr = (server (eval [
        keys
        { systemd.services.bitpoll.after = [ "not a unit" ]; }
      ])).after;
      throws = true;
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
