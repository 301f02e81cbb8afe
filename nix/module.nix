# NixOS module for Bitpoll: gunicorn behind an optional nginx virtual host,
# migrations in their own oneshot unit, SQLite or PostgreSQL, secrets passed
# as systemd credentials and read at run time (never copied into the store).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.bitpoll;
  db = cfg.database;

  settingsFormat = pkgs.formats.json { };
  settingsFile = settingsFormat.generate "bitpoll-settings.json" cfg.settings;
  extraSettingsFile = pkgs.writeText "bitpoll-extra-settings.py" cfg.extraConfig;

  # gunicorn wants IPv6 literals in brackets.
  listen =
    if lib.hasInfix ":" cfg.listenAddress then
      "[${cfg.listenAddress}]:${toString cfg.port}"
    else
      "${cfg.listenAddress}:${toString cfg.port}";

  # name:path pairs for LoadCredential; settings_local.py reads them from
  # $CREDENTIALS_DIRECTORY/<name>.
  credentials =
    lib.optional (cfg.secretKeyFile != null) "secret_key:${toString cfg.secretKeyFile}"
    ++ lib.optional (cfg.encryptionKeyFile != null) "encryption_key:${toString cfg.encryptionKeyFile}"
    ++ lib.optional (db.passwordFile != null) "db_password:${toString db.passwordFile}"
    ++ lib.optional (
      cfg.ldap.enable && cfg.ldap.bindPasswordFile != null
    ) "ldap_bind_password:${toString cfg.ldap.bindPasswordFile}";

  environment = {
    BITPOLL_SETTINGS_FILE = "${settingsFile}";
    BITPOLL_STATE_DIR = cfg.dataDir;
    BITPOLL_LISTEN = listen;
  }
  // lib.optionalAttrs (cfg.extraConfig != "") { BITPOLL_EXTRA_SETTINGS = "${extraSettingsFile}"; };

  stateDirectory = lib.removePrefix "/var/lib/" cfg.dataDir;

  # Shared by the migration and server units, so both see the same files,
  # credentials and restrictions.
  serviceConfig = {
    User = "bitpoll";
    Group = "bitpoll";
    StateDirectory = stateDirectory;
    StateDirectoryMode = "0750";
    WorkingDirectory = cfg.dataDir;
    LoadCredential = credentials;

    # Hardening. Network access is not limited with IPAddressDeny: Bitpoll
    # sends mail and may reach LDAP, a remote database and CalDAV servers.
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
  };

  # Management commands for administrators, run as root: systemd-run gives
  # the command the service's user, credentials and environment, so secrets
  # stay readable by root only.
  manage = pkgs.writeShellScriptBin "bitpoll-manage" ''
    if [ "$(id -u)" != 0 ]; then
      echo "bitpoll-manage: run as root (it starts the command as user bitpoll with the service's credentials)" >&2
      exit 1
    fi
    if [ -t 0 ]; then io=--pty; else io=--pipe; fi
    exec systemd-run --quiet --collect --wait "$io" \
      --uid=bitpoll --gid=bitpoll \
      --working-directory=${lib.escapeShellArg cfg.dataDir} \
      --property=StateDirectory=${lib.escapeShellArg stateDirectory} \
      ${
        lib.concatMapStringsSep " " (c: "--property=LoadCredential=${lib.escapeShellArg c}") credentials
      } \
      ${
        lib.concatStringsSep " " (
          lib.mapAttrsToList (n: v: "--setenv=${lib.escapeShellArg "${n}=${v}"}") environment
        )
      } \
      ${cfg.package}/bin/bitpoll-manage "$@"
  '';

  # Settings derived from the typed options. mkDefault, so a key set in
  # services.bitpoll.settings replaces the derived value.
  derivedSettings = {
    ALLOWED_HOSTS = cfg.allowedHosts ++ lib.optional cfg.nginx.enable cfg.nginx.virtualHost;
    MEDIA_ROOT = "${cfg.dataDir}/media";
    DATABASES.default =
      if db.type == "sqlite" then
        {
          ENGINE = "django.db.backends.sqlite3";
          NAME = "${cfg.dataDir}/bitpoll.sqlite3";
        }
      else
        {
          ENGINE = "django.db.backends.postgresql";
          NAME = db.name;
          USER = db.user;
        }
        // lib.optionalAttrs (db.host != null || db.createLocally) {
          HOST = if db.createLocally then "/run/postgresql" else db.host;
        }
        // lib.optionalAttrs (db.port != null) { PORT = toString db.port; };
  }
  // lib.optionalAttrs cfg.nginx.enable {
    # nginx terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = [
      "HTTP_X_FORWARDED_PROTO"
      "https"
    ];
  }
  // lib.optionalAttrs cfg.ldap.enable {
    AUTHENTICATION_BACKENDS = [
      "django_auth_ldap.backend.LDAPBackend"
      "django.contrib.auth.backends.ModelBackend"
    ];
    AUTH_LDAP_SERVER_URI = cfg.ldap.serverUri;
    AUTH_LDAP_BIND_DN = cfg.ldap.bindDn;
    AUTH_LDAP_START_TLS = cfg.ldap.startTls;
    AUTH_LDAP_USER_ATTR_MAP = cfg.ldap.userAttrMap;
    # settings_local.py turns these two into an LDAPSearch.
    AUTH_LDAP_USER_SEARCH_BASE = cfg.ldap.userSearchBase;
    AUTH_LDAP_USER_SEARCH_FILTER = cfg.ldap.userFilter;
  };

  inStore = path: lib.hasPrefix builtins.storeDir (toString path);

  secretFileAssertions =
    option: path:
    lib.optional (path != null) {
      assertion = !inStore path;
      message = "${option} = ${toString path} is in the Nix store, which every user can read; use a file outside the store, e.g. under /run/secrets or /var/lib/secrets.";
    };

  secretFileOption =
    description:
    lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      example = "/run/secrets/bitpoll-secret-key";
      description = ''
        ${description} Passed to the services with systemd's LoadCredential and
        read at run time: give a path as a string, outside the Nix store (a path
        literal such as `./secret` would be copied into the store).
      '';
    };
in
{
  options.services.bitpoll = {
    enable = lib.mkEnableOption "Bitpoll, a web application for polls and meeting scheduling";

    # pkgs.bitpoll exists with the flake's overlay; the flake's
    # nixosModules.bitpoll sets its own package with mkDefault, so neither
    # is required.
    package = lib.mkPackageOption pkgs "bitpoll" {
      extraDescription = "It provides the bitpoll-server and bitpoll-manage programs.";
    };

    listenAddress = lib.mkOption {
      type = lib.types.str;
      default = "127.0.0.1";
      example = "::1";
      description = "Address gunicorn listens on.";
    };

    port = lib.mkOption {
      type = lib.types.port;
      default = 8000;
      description = "TCP port gunicorn listens on.";
    };

    allowedHosts = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "localhost" ];
      example = [ "bitpoll.example.org" ];
      description = "Host names Bitpoll answers to (Django's ALLOWED_HOSTS); the nginx virtual host is added when enabled.";
    };

    secretKeyFile = secretFileOption "File holding Django's SECRET_KEY.";

    encryptionKeyFile = secretFileOption "File holding FIELD_ENCRYPTION_KEY for django-encrypted-model-fields: a Fernet key (32 random bytes, url-safe base64).";

    dataDir = lib.mkOption {
      type = lib.types.str;
      default = "/var/lib/bitpoll";
      description = "State directory (SQLite database, media); must lie under /var/lib, as systemd's StateDirectory manages it.";
    };

    database = {
      type = lib.mkOption {
        type = lib.types.enum [
          "sqlite"
          "postgresql"
        ];
        default = "sqlite";
        description = "Database backend. SQLite keeps the database in dataDir.";
      };

      createLocally = lib.mkOption {
        type = lib.types.bool;
        default = false;
        description = "Create a local PostgreSQL database and role named after the service user, reached over the Unix socket with peer authentication.";
      };

      host = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "db.example.org";
        description = "PostgreSQL host name or socket directory; null for libpq's default. Must stay null with createLocally.";
      };

      port = lib.mkOption {
        type = lib.types.nullOr lib.types.port;
        default = null;
        description = "PostgreSQL port; null for the default (5432).";
      };

      name = lib.mkOption {
        type = lib.types.str;
        default = "bitpoll";
        description = "PostgreSQL database name.";
      };

      user = lib.mkOption {
        type = lib.types.str;
        default = "bitpoll";
        description = "PostgreSQL role.";
      };

      passwordFile = lib.mkOption {
        type = lib.types.nullOr lib.types.path;
        default = null;
        example = "/run/secrets/bitpoll-db-password";
        description = "File holding the PostgreSQL password, passed as a credential; not used with createLocally (peer authentication).";
      };
    };

    settings = lib.mkOption {
      type = settingsFormat.type;
      default = { };
      example = {
        SITE_NAME = "Polls of Example Org";
        BASE_URL = "https://bitpoll.example.org";
        TIME_ZONE = "Europe/Berlin";
        LANGUAGE_CODE = "en-us";
        SESSION_COOKIE_SECURE = true;
        CSRF_COOKIE_SECURE = true;
      };
      description = ''
        Django settings, written to a JSON file that Bitpoll's settings_local.py
        loads at run time; each key becomes a setting, overriding Bitpoll's
        settings.py. ALLOWED_HOSTS, DATABASES and MEDIA_ROOT (and the LDAP
        settings) are derived from the other options unless set here. Never put
        secrets here: the file is in the world-readable store.
      '';
    };

    extraConfig = lib.mkOption {
      type = lib.types.lines;
      default = "";
      example = ''
        import re
        OPENID_ADMIN_GROUPS = re.compile("admins|superusers")
      '';
      description = "Python lines executed at the end of settings_local.py, for settings JSON cannot express.";
    };

    nginx = {
      enable = lib.mkEnableOption "an nginx virtual host that proxies to Bitpoll and serves its static files";

      virtualHost = lib.mkOption {
        type = lib.types.str;
        default = "localhost";
        example = "bitpoll.example.org";
        description = "Name of the nginx virtual host; TLS and the like are set on services.nginx.virtualHosts.<name> directly.";
      };
    };

    ldap = {
      enable = lib.mkEnableOption "login with LDAP accounts (django-auth-ldap)";

      serverUri = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "ldaps://ldap.example.org";
        description = "LDAP server URI (AUTH_LDAP_SERVER_URI).";
      };

      bindDn = lib.mkOption {
        type = lib.types.str;
        default = "";
        example = "cn=bitpoll,ou=services,dc=example,dc=org";
        description = "DN to bind as for searches; empty for an anonymous bind.";
      };

      bindPasswordFile = lib.mkOption {
        type = lib.types.nullOr lib.types.path;
        default = null;
        example = "/run/secrets/bitpoll-ldap-password";
        description = "File holding the bind password, passed as a credential.";
      };

      userSearchBase = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "ou=people,dc=example,dc=org";
        description = "Base DN of the (subtree) user search.";
      };

      userFilter = lib.mkOption {
        type = lib.types.str;
        default = "(uid=%(user)s)";
        description = "Filter of the user search; %(user)s is the login name.";
      };

      startTls = lib.mkOption {
        type = lib.types.bool;
        default = false;
        description = "Use StartTLS on ldap:// connections.";
      };

      userAttrMap = lib.mkOption {
        type = lib.types.attrsOf lib.types.str;
        default = {
          first_name = "givenName";
          last_name = "sn";
          email = "mail";
        };
        description = "Django user fields filled from LDAP attributes.";
      };
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.secretKeyFile != null;
        message = "services.bitpoll.secretKeyFile must be set: a file with Django's SECRET_KEY (see `openssl rand -base64 48`).";
      }
      {
        assertion = cfg.encryptionKeyFile != null;
        message = "services.bitpoll.encryptionKeyFile must be set: a file with a Fernet key for FIELD_ENCRYPTION_KEY (see `openssl rand -base64 32 | tr '+/' '-_'`).";
      }
      {
        assertion = lib.hasPrefix "/var/lib/" cfg.dataDir;
        message = "services.bitpoll.dataDir = ${cfg.dataDir} must lie under /var/lib/ (it is systemd's StateDirectory).";
      }
      {
        assertion = db.type != "postgresql" || db.name != "";
        message = "services.bitpoll.database.name must not be empty with database.type = \"postgresql\".";
      }
      {
        assertion = !db.createLocally || db.type == "postgresql";
        message = "services.bitpoll.database.createLocally needs database.type = \"postgresql\".";
      }
      {
        assertion = !db.createLocally || db.host == null;
        message = "services.bitpoll.database.createLocally creates a local database; database.host = ${toString db.host} names a remote one: unset one of them.";
      }
      {
        assertion = !db.createLocally || db.passwordFile == null;
        message = "services.bitpoll.database.passwordFile is not used with database.createLocally (peer authentication over the Unix socket): unset it.";
      }
      {
        assertion = !db.createLocally || (db.user == "bitpoll" && db.name == db.user);
        message = "services.bitpoll.database.createLocally needs database.user = database.name = \"bitpoll\": peer authentication maps the service user bitpoll to the role, and the role owns the database of its name.";
      }
      {
        assertion = !cfg.ldap.enable || cfg.ldap.serverUri != null;
        message = "services.bitpoll.ldap.enable needs ldap.serverUri.";
      }
      {
        assertion = !cfg.ldap.enable || cfg.ldap.userSearchBase != null;
        message = "services.bitpoll.ldap.enable needs ldap.userSearchBase.";
      }
      {
        assertion =
          !(cfg.settings ? SECRET_KEY)
          && !(cfg.settings ? FIELD_ENCRYPTION_KEY)
          && !(cfg.settings ? AUTH_LDAP_BIND_PASSWORD);
        message = "services.bitpoll.settings must not hold SECRET_KEY, FIELD_ENCRYPTION_KEY or AUTH_LDAP_BIND_PASSWORD: it is written to the world-readable store; use secretKeyFile, encryptionKeyFile and ldap.bindPasswordFile.";
      }
    ]
    ++ secretFileAssertions "services.bitpoll.secretKeyFile" cfg.secretKeyFile
    ++ secretFileAssertions "services.bitpoll.encryptionKeyFile" cfg.encryptionKeyFile
    ++ secretFileAssertions "services.bitpoll.database.passwordFile" db.passwordFile
    ++ secretFileAssertions "services.bitpoll.ldap.bindPasswordFile" cfg.ldap.bindPasswordFile;

    services.bitpoll.settings = lib.mapAttrs (_: lib.mkDefault) derivedSettings;

    users.users.bitpoll = {
      isSystemUser = true;
      group = "bitpoll";
      home = cfg.dataDir;
      description = "Bitpoll service user";
    };
    users.groups.bitpoll = { };

    environment.systemPackages = [ manage ];

    systemd.services.bitpoll-migrate = {
      description = "Bitpoll database migrations";
      requiredBy = [ "bitpoll.service" ];
      before = [ "bitpoll.service" ];
      after = [ "network.target" ] ++ lib.optional db.createLocally "postgresql.service";
      requires = lib.optional db.createLocally "postgresql.service";
      inherit environment;
      serviceConfig = serviceConfig // {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = "${cfg.package}/bin/bitpoll-manage migrate --noinput";
      };
    };

    systemd.services.bitpoll = {
      description = "Bitpoll web application";
      wantedBy = [ "multi-user.target" ];
      after = [
        "network.target"
        "bitpoll-migrate.service"
      ];
      requires = [ "bitpoll-migrate.service" ];
      inherit environment;
      serviceConfig = serviceConfig // {
        Type = "simple";
        ExecStart = "${cfg.package}/bin/bitpoll-server --listen ${listen}";
        Restart = "on-failure";
        RestartSec = 5;
      };
    };

    services.postgresql = lib.mkIf db.createLocally {
      enable = true;
      ensureDatabases = [ db.name ];
      ensureUsers = [
        {
          name = db.user;
          ensureDBOwnership = true;
        }
      ];
    };

    services.nginx = lib.mkIf cfg.nginx.enable {
      enable = true;
      virtualHosts.${cfg.nginx.virtualHost} = {
        locations."/" = {
          proxyPass = "http://${listen}";
          recommendedProxySettings = true;
        };
        locations."/static/".alias = "${cfg.package}/share/bitpoll/_static/";
      };
    };
  };
}
