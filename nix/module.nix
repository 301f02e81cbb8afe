# NixOS module for Bitpoll: gunicorn behind an optional nginx virtual host,
# migrations in their own oneshot unit (waiting for a remote database), a
# maintenance timer, SQLite or PostgreSQL, secrets passed as systemd
# credentials and read at run time (never copied into the store), keys
# generated on first start when none are given.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.bitpoll;
  db = cfg.database;
  pkg = cfg.finalPackage;

  settingsFormat = pkgs.formats.json { };
  settingsFile = settingsFormat.generate "bitpoll-settings.json" cfg.settings;
  extraSettingsFile = pkgs.writeText "bitpoll-extra-settings.py" cfg.extraConfig;

  # gunicorn wants IPv6 literals in brackets.
  listen =
    if lib.hasInfix ":" cfg.listenAddress then
      "[${cfg.listenAddress}]:${toString cfg.port}"
    else
      "${cfg.listenAddress}:${toString cfg.port}";

  # Keys generated on first start when no file is given: root's, inside the
  # state directory (bitpoll-keys.service).
  keysDir = "${cfg.dataDir}/keys";
  # The units that read the keys: bitpoll-keys.service runs before them.
  keyUsers = [
    "bitpoll-migrate.service"
    "bitpoll.service"
    "bitpoll-maintenance.service"
  ];
  secretKeyPath = if cfg.secretKeyFile != null then toString cfg.secretKeyFile else "${keysDir}/secret_key";
  encryptionKeyPath =
    if cfg.encryptionKeyFile != null then toString cfg.encryptionKeyFile else "${keysDir}/encryption_key";

  # name:path pairs for LoadCredential; settings_local.py reads them from
  # $CREDENTIALS_DIRECTORY/<name>.
  credentials = [
    "secret_key:${secretKeyPath}"
    "encryption_key:${encryptionKeyPath}"
  ]
  ++ lib.optional (db.passwordFile != null) "db_password:${toString db.passwordFile}"
  ++ lib.optional (
    cfg.ldap.enable && cfg.ldap.bindPasswordFile != null
  ) "ldap_bind_password:${toString cfg.ldap.bindPasswordFile}"
  ++ lib.mapAttrsToList (name: path: "setting_${name}:${toString path}") cfg.secretFiles;

  # A remote PostgreSQL (a host name, not a socket directory) is reached over
  # the network, which may come up after this machine's units start.
  remoteDatabase =
    db.type == "postgresql" && !db.createLocally && db.host != null && !lib.hasPrefix "/" db.host;

  # As nixpkgs' utils.escapeSystemdExecArg: a JSON string is a valid
  # double-quoted systemd word once % and $ are doubled.
  escapeExecArg = arg: lib.replaceStrings [ "%" "$" ] [ "%%" "$$" ] (builtins.toJSON arg);

  serverCommand = lib.concatStringsSep " " (
    [
      "${pkg}/bin/bitpoll-server"
      "--listen"
      listen
      "--workers"
      (toString cfg.gunicorn.workers)
      "--threads"
      (toString cfg.gunicorn.threads)
    ]
    ++ map escapeExecArg cfg.gunicorn.extraArgs
  );

  prepareKeys = pkgs.writeShellScript "bitpoll-prepare-keys" (builtins.readFile ./prepare-keys.sh);

  # Runs as root before every other unit: creates the state directory as
  # StateDirectory would (so systemd never re-owns what is inside), then the
  # keys directory, root's only, and the keys not given as files.
  keysScript = ''
    if [ ! -d ${lib.escapeShellArg cfg.dataDir} ]; then
      install -d -m 0750 -o bitpoll -g bitpoll ${lib.escapeShellArg cfg.dataDir}
    fi
    exec ${prepareKeys} ${lib.escapeShellArg keysDir} ${
      lib.escapeShellArg (if cfg.secretKeyFile != null then toString cfg.secretKeyFile else "")
    } ${lib.escapeShellArg (if cfg.encryptionKeyFile != null then toString cfg.encryptionKeyFile else "")}
  '';

  # A copy of the database before migrations change it, when some are
  # pending: SQLite with its online backup, PostgreSQL with pg_dump (the
  # local server's version, or nixpkgs' default for a remote one). The
  # newest `database.backupsToKeep` stay.
  backupsDir = "${cfg.dataDir}/backups";
  backupScript =
    let
      target = "${backupsDir}/pre-migrate-$(date -u +%Y%m%dT%H%M%SZ)";
      pgDump = "${
        if db.createLocally then config.services.postgresql.package else pkgs.postgresql
      }/bin/pg_dump";
    in
    ''
      if ${pkg}/bin/bitpoll-manage showmigrations --plan | grep -q '^\[ \]'; then
        mkdir -p ${backupsDir}
    ''
    + (
      if db.type == "sqlite" then
        ''
          if [ -s ${lib.escapeShellArg settingsDb.NAME} ]; then
            ${pkgs.sqlite}/bin/sqlite3 ${lib.escapeShellArg settingsDb.NAME} ".backup '${target}.sqlite3'"
          fi
        ''
      else
        ''
          if [ -r "$CREDENTIALS_DIRECTORY/db_password" ]; then
            PGPASSWORD=$(cat "$CREDENTIALS_DIRECTORY/db_password")
            export PGPASSWORD
          fi
          ${pgDump} --format=custom --file="${target}.pgdump" \
            ${
              lib.escapeShellArgs (
                [
                  "--dbname=${db.name}"
                  "--username=${db.user}"
                ]
                ++ lib.optional (settingsDb ? HOST) "--host=${settingsDb.HOST}"
                ++ lib.optional (settingsDb ? PORT) "--port=${settingsDb.PORT}"
              )
            }
        ''
    )
    + ''
        ls -1t ${backupsDir}/pre-migrate-* | tail -n +${toString (db.backupsToKeep + 1)} | xargs -r rm -f --
        echo "bitpoll-migrate: database saved in ${backupsDir} before migrating" >&2
      fi
    '';
  settingsDb = cfg.settings.DATABASES.default;

  # Waits for the database (a bounded number of attempts), migrates, then
  # checks that the encryption key reads what the database holds.
  migrateScript = ''
    attempt=1
    until ${pkg}/bin/bitpoll-manage showmigrations --plan >/dev/null; do
      if [ "$attempt" -ge ${toString db.connectAttempts} ]; then
        echo "bitpoll-migrate: the database is still unreachable after ${toString db.connectAttempts} attempts" >&2
        exit 1
      fi
      echo "bitpoll-migrate: the database is unreachable (attempt $attempt of ${toString db.connectAttempts}); retrying in 5 s" >&2
      sleep 5
      attempt=$((attempt + 1))
    done
    ${lib.optionalString db.backupBeforeMigrate backupScript}
    ${pkg}/bin/bitpoll-manage migrate --noinput
    exec ${pkg}/bin/bitpoll-manage check_encryption_key
  '';

  # simple_openid_connect's Django app keeps an OpenidSession row per login;
  # from release 2.2.0 on it ships `clear-expired-openid-sessions` to remove
  # those whose tokens have expired (Bitpoll at 4a3e6a5 pins 1.0.1, which has
  # no such command). The version is read from the package's Python set.
  openidVersion = lib.attrByPath [ "python" "pkgs" "simple-openid-connect" "version" ] null pkg;
  openidSessionsCommand = lib.optional (
    cfg.openid.enable && openidVersion != null && lib.versionAtLeast openidVersion "2.2.0"
  ) [ "clear-expired-openid-sessions" ];

  maintenanceScript = lib.concatMapStrings (
    command: "${pkg}/bin/bitpoll-manage ${lib.escapeShellArgs command}\n"
  ) cfg.maintenance.commands;

  environment = {
    BITPOLL_SETTINGS_FILE = "${settingsFile}";
    BITPOLL_STATE_DIR = cfg.dataDir;
    BITPOLL_LISTEN = listen;
  }
  // lib.optionalAttrs (cfg.extraConfig != "") { BITPOLL_EXTRA_SETTINGS = "${extraSettingsFile}"; };

  stateDirectory = lib.removePrefix "/var/lib/" cfg.dataDir;

  # Shared by the migration, server and maintenance units, so all see the same files,
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
      ${pkg}/bin/bitpoll-manage "$@"
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
  // {
    EMAIL_HOST = cfg.mail.host;
    EMAIL_PORT = cfg.mail.port;
    EMAIL_USE_TLS = cfg.mail.security == "starttls";
    EMAIL_USE_SSL = cfg.mail.security == "tls";
  }
  // lib.optionalAttrs (cfg.mail.user != null) { EMAIL_HOST_USER = cfg.mail.user; }
  // lib.optionalAttrs (cfg.mail.from != null) {
    DEFAULT_FROM_EMAIL = cfg.mail.from;
    SERVER_EMAIL = cfg.mail.from;
  }
  // lib.optionalAttrs cfg.openid.enable (
    {
      OPENID_ENABLED = true;
      # Bitpoll refuses OpenID together with its own group management.
      GROUP_MANAGEMENT = false;
      INSTALLED_APPS_LOCAL = [ "simple_openid_connect.integrations.django" ];
      MIDDLEWARE_LOCAL = [
        "simple_openid_connect.integrations.django.middleware.TokenVerificationMiddleware"
      ];
      OPENID_ISSUER = cfg.openid.issuer;
      OPENID_CLIENT_ID = cfg.openid.clientId;
      OPENID_SCOPE = cfg.openid.scope;
      OPENID_USER_MAPPER = "bitpoll.base.openid.BitpollUserMapper";
      LOGIN_URL = "simple_openid_connect_django:login";
      LOGOUT_REDIRECT_URL = "index";
    }
    // lib.optionalAttrs (cfg.openid.apiBase != null) { OPENID_API_BASE = cfg.openid.apiBase; }
    # settings_local.py compiles the string.
    // lib.optionalAttrs (cfg.openid.adminGroups != null) { OPENID_ADMIN_GROUPS = cfg.openid.adminGroups; }
  )
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

  # Settings that hold secrets: never in `settings` (the store), only files.
  secretSettingNames = [
    "SECRET_KEY"
    "FIELD_ENCRYPTION_KEY"
    "AUTH_LDAP_BIND_PASSWORD"
  ]
  ++ builtins.attrNames cfg.secretFiles;

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

    extraPythonPackages = lib.mkOption {
      type = lib.types.functionTo (lib.types.listOf lib.types.package);
      default = _: [ ];
      defaultText = lib.literalExpression "ps: [ ]";
      example = lib.literalExpression "ps: [ ps.django-allauth ]";
      description = ''
        Python packages added to Bitpoll's own Python environment (not the
        system's), given its package set: e.g. an authentication backend named
        in `settings`. Applied with `package.override { extraPythonPackages = …; }`.
      '';
    };

    finalPackage = lib.mkOption {
      type = lib.types.package;
      readOnly = true;
      default = cfg.package.override { inherit (cfg) extraPythonPackages; };
      defaultText = lib.literalExpression "package.override { inherit extraPythonPackages; }";
      description = "The package the services run: `package` with `extraPythonPackages`.";
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

    secretKeyFile = secretFileOption "File holding Django's SECRET_KEY. When null, a key is generated on first start into dataDir/keys (readable by root only) and kept.";

    encryptionKeyFile = secretFileOption "File holding FIELD_ENCRYPTION_KEY for django-encrypted-model-fields: a Fernet key (32 random bytes, url-safe base64). When null, one is generated on first start into dataDir/keys (readable by root only) and kept. The key first used is remembered (its SHA-256 in dataDir/keys): Bitpoll refuses to start with another one, which could not read the data encrypted so far.";

    secretFiles = lib.mkOption {
      type = lib.types.attrsOf lib.types.path;
      default = { };
      example = {
        SENTRY_DSN = "/run/secrets/bitpoll-sentry-dsn";
      };
      description = ''
        Django settings whose values are secrets, each read at run time from a
        file (setting name → path outside the store), passed with systemd's
        LoadCredential as credential `setting_<NAME>`. mail.passwordFile and
        openid.clientSecretFile add to this. Such a setting must not also
        be in `settings`.
      '';
    };

    gunicorn = {
      workers = lib.mkOption {
        type = lib.types.ints.positive;
        default = 2;
        description = "Number of gunicorn worker processes.";
      };

      threads = lib.mkOption {
        type = lib.types.ints.positive;
        default = 4;
        description = ''
          Threads per worker (gunicorn's gthread worker when above 1), so one
          slow request, such as a CalDAV calendar fetch, does not hold up the
          others.
        '';
      };

      extraArgs = lib.mkOption {
        type = lib.types.listOf lib.types.str;
        default = [ ];
        example = [
          "--timeout=120"
          "--max-requests=1000"
        ];
        description = "More gunicorn command-line arguments, each one word.";
      };
    };

    mail = {
      host = lib.mkOption {
        type = lib.types.str;
        default = "localhost";
        example = "smtp.example.org";
        description = "SMTP server Bitpoll sends mail through (invitations, registration).";
      };

      port = lib.mkOption {
        type = lib.types.port;
        default = 25;
        example = 587;
        description = "SMTP port.";
      };

      security = lib.mkOption {
        type = lib.types.enum [
          "none"
          "starttls"
          "tls"
        ];
        default = "none";
        description = "`starttls` (EMAIL_USE_TLS, usually port 587) or implicit `tls` (EMAIL_USE_SSL, usually port 465).";
      };

      user = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        description = "SMTP login name; null for none.";
      };

      passwordFile = secretFileOption "File holding the SMTP password (EMAIL_HOST_PASSWORD).";

      from = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "bitpoll@example.org";
        description = "Sender address (DEFAULT_FROM_EMAIL and SERVER_EMAIL); null for Django's default.";
      };
    };

    openid = {
      enable = lib.mkEnableOption "login through an OpenID Connect provider (simple_openid_connect); turns Bitpoll's group management off, as Bitpoll requires";

      issuer = lib.mkOption {
        type = lib.types.str;
        default = "";
        example = "https://id.example.org/realms/example";
        description = "Issuer URL (OPENID_ISSUER).";
      };

      apiBase = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "https://id.example.org/admin/realms/example";
        description = "Admin API base for group lookups (OPENID_API_BASE).";
      };

      clientId = lib.mkOption {
        type = lib.types.str;
        default = "";
        description = "Client ID (OPENID_CLIENT_ID).";
      };

      clientSecretFile = secretFileOption "File holding the client secret (OPENID_CLIENT_SECRET).";

      scope = lib.mkOption {
        type = lib.types.str;
        default = "openid profile email";
        description = "Requested scopes (OPENID_SCOPE).";
      };

      adminGroups = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "admins|superusers";
        description = "Regular expression of the provider's groups whose members become superusers (OPENID_ADMIN_GROUPS).";
      };
    };

    maintenance = {
      startAt = lib.mkOption {
        type = lib.types.str;
        default = "daily";
        description = "When bitpoll-maintenance.service runs (systemd.time(7) calendar event).";
      };

      commands = lib.mkOption {
        type = lib.types.listOf (lib.types.listOf lib.types.str);
        default = [ [ "clearsessions" ] ] ++ openidSessionsCommand;
        defaultText = lib.literalMD ''
          `[ [ "clearsessions" ] ]`, and `[ "clear-expired-openid-sessions" ]`
          after it when `openid.enable` is set and the package's
          simple-openid-connect is 2.2.0 or later
        '';
        example = [
          [ "clearsessions" ]
          [ "some_cleanup_command" "--quiet" ]
        ];
        description = ''
          Management commands the maintenance timer runs, in order. Bitpoll
          itself needs only Django's `clearsessions` (expired sessions are never
          removed otherwise); its one own command, `importolddudel`, is a one-time
          import. With OpenID login, simple_openid_connect 2.2.0 and later add
          `clear-expired-openid-sessions` (expired OpenID sessions); the pinned
          1.0.1 has no such command.
        '';
      };
    };

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

      backupBeforeMigrate = lib.mkOption {
        type = lib.types.bool;
        default = false;
        description = ''
          Save the database into dataDir/backups before bitpoll-migrate applies
          pending migrations (SQLite's online backup, or pg_dump in its custom
          format).
        '';
      };

      backupsToKeep = lib.mkOption {
        type = lib.types.ints.positive;
        default = 3;
        description = "How many of these backups are kept, newest first.";
      };

      connectAttempts = lib.mkOption {
        type = lib.types.ints.positive;
        default = 12;
        description = ''
          How often bitpoll-migrate tries to reach the database, 5 seconds apart,
          before it fails (and with it Bitpoll's start). With a remote database
          it also waits for network-online.target.
        '';
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
        settings.py. ALLOWED_HOSTS, DATABASES, MEDIA_ROOT, the mail settings
        (and the LDAP and OpenID settings) are derived from the other options;
        what is set here is merged over them recursively, so
        `DATABASES.default.CONN_MAX_AGE = 60` keeps the derived ENGINE and NAME,
        while a list replaces the derived one. Never put secrets here: the file
        is in the world-readable store (use secretFiles).
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
        assertion = !cfg.openid.enable || (cfg.openid.issuer != "" && cfg.openid.clientId != "");
        message = "services.bitpoll.openid.enable needs openid.issuer and openid.clientId.";
      }
      {
        assertion = builtins.all (name: !(cfg.settings ? ${name})) secretSettingNames;
        message = "services.bitpoll.settings must not hold ${
          lib.concatStringsSep ", " (builtins.filter (name: cfg.settings ? ${name}) secretSettingNames)
        }: it is written to the world-readable store; use secretKeyFile, encryptionKeyFile, ldap.bindPasswordFile, mail.passwordFile, openid.clientSecretFile or secretFiles.";
      }
      {
        assertion = builtins.all (name: builtins.match "[A-Z][A-Z0-9_]*" name != null) (
          builtins.attrNames cfg.secretFiles
        );
        message = "services.bitpoll.secretFiles: ${
          lib.concatStringsSep ", " (
            builtins.filter (name: builtins.match "[A-Z][A-Z0-9_]*" name == null) (builtins.attrNames cfg.secretFiles)
          )
        } is not a Django setting name (upper case letters, digits and _).";
      }
    ]
    ++ secretFileAssertions "services.bitpoll.secretKeyFile" cfg.secretKeyFile
    ++ secretFileAssertions "services.bitpoll.encryptionKeyFile" cfg.encryptionKeyFile
    ++ secretFileAssertions "services.bitpoll.database.passwordFile" db.passwordFile
    ++ secretFileAssertions "services.bitpoll.ldap.bindPasswordFile" cfg.ldap.bindPasswordFile
    ++ lib.concatLists (
      lib.mapAttrsToList (name: secretFileAssertions "services.bitpoll.secretFiles.${name}") cfg.secretFiles
    );

    # mkDefault on every leaf, so user settings merge over the derived ones
    # key by key (a list is a leaf: the user's replaces it).
    services.bitpoll.settings = lib.mapAttrsRecursive (_: lib.mkDefault) derivedSettings;

    services.bitpoll.secretFiles =
      lib.optionalAttrs (cfg.mail.passwordFile != null) { EMAIL_HOST_PASSWORD = cfg.mail.passwordFile; }
      // lib.optionalAttrs (cfg.openid.enable && cfg.openid.clientSecretFile != null) {
        OPENID_CLIENT_SECRET = cfg.openid.clientSecretFile;
      };

    users.users.bitpoll = {
      isSystemUser = true;
      group = "bitpoll";
      home = cfg.dataDir;
      description = "Bitpoll service user";
    };
    users.groups.bitpoll = { };

    environment.systemPackages = [ manage ];

    systemd.services.bitpoll-keys = {
      description = "Bitpoll keys";
      requiredBy = keyUsers;
      before = keyUsers;
      script = keysScript;
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        UMask = "0077";
        PrivateNetwork = true;
        PrivateTmp = true;
        NoNewPrivileges = true;
        ProtectSystem = "full";
      };
    };

    systemd.services.bitpoll-migrate = {
      description = "Bitpoll database migrations";
      requiredBy = [ "bitpoll.service" ];
      before = [ "bitpoll.service" ];
      after = [
        "network.target"
        "bitpoll-keys.service"
      ]
      ++ lib.optional db.createLocally "postgresql.service"
      ++ lib.optional remoteDatabase "network-online.target";
      wants = lib.optional remoteDatabase "network-online.target";
      requires = [ "bitpoll-keys.service" ] ++ lib.optional db.createLocally "postgresql.service";
      inherit environment;
      script = migrateScript;
      serviceConfig = serviceConfig // {
        Type = "oneshot";
        RemainAfterExit = true;
      };
    };

    systemd.services.bitpoll = {
      description = "Bitpoll web application";
      wantedBy = [ "multi-user.target" ];
      after = [
        "network.target"
        "bitpoll-keys.service"
        "bitpoll-migrate.service"
      ];
      requires = [
        "bitpoll-keys.service"
        "bitpoll-migrate.service"
      ];
      inherit environment;
      serviceConfig = serviceConfig // {
        Type = "simple";
        ExecStart = serverCommand;
        Restart = "on-failure";
        RestartSec = 5;
      };
    };

    systemd.services.bitpoll-maintenance = {
      description = "Bitpoll maintenance (expired sessions)";
      after = [
        "bitpoll-keys.service"
        "bitpoll-migrate.service"
      ];
      requires = [
        "bitpoll-keys.service"
        "bitpoll-migrate.service"
      ];
      inherit environment;
      script = maintenanceScript;
      serviceConfig = serviceConfig // {
        Type = "oneshot";
      };
    };

    systemd.timers.bitpoll-maintenance = {
      description = "Bitpoll maintenance";
      wantedBy = [ "timers.target" ];
      timerConfig = {
        OnCalendar = cfg.maintenance.startAt;
        Persistent = true;
        RandomizedDelaySec = "1h";
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
        locations."/static/".alias = "${pkg}/share/bitpoll/_static/";
      };
    };
  };
}
