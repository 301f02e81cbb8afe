# Boots the module twice, with SQLite behind nginx and with a local
# PostgreSQL, and drives Bitpoll like a user: front page, then a poll created
# through the web form (CSRF token and cookie included).
{
  testers,
  # The flake's nixosModules.bitpoll.
  module,
}:
let
  common = {
    imports = [ module ];
    # Test-only keys, kept out of the way of the module's store check by
    # being written at boot; the Fernet key is 32 zero bytes.
    systemd.tmpfiles.rules = [
      "d /var/lib/secrets 0700 root root -"
      "f /var/lib/secrets/bitpoll-secret-key 0400 root root - vm-test-secret-key-not-for-production"
      "f /var/lib/secrets/bitpoll-encryption-key 0400 root root - AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    ];
    services.bitpoll = {
      enable = true;
      secretKeyFile = "/var/lib/secrets/bitpoll-secret-key";
      encryptionKeyFile = "/var/lib/secrets/bitpoll-encryption-key";
      settings.LANGUAGE_CODE = "en-us";
    };
    virtualisation.memorySize = 1024;
  };
in
testers.runNixOSTest {
  name = "bitpoll";

  nodes = {
    sqlite = {
      imports = [ common ];
      services.bitpoll.nginx.enable = true;
    };
    postgresql = {
      imports = [ common ];
      services.bitpoll.database = {
        type = "postgresql";
        createLocally = true;
      };
    };
  };

  testScript = ''
    import re

    def create_poll(machine, base):
        machine.succeed(f"curl -fsS -c /tmp/cookies -b /tmp/cookies {base}/ -o /tmp/index.html")
        token = machine.succeed(
            "grep -o 'name=\"csrfmiddlewaretoken\" value=\"[^\"]*\"' /tmp/index.html | head -n1 | cut -d'\"' -f4"
        ).strip()
        assert token, "no CSRF token in the front page"
        status = machine.succeed(
            "curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -c /tmp/cookies -b /tmp/cookies"
            f" --data-urlencode csrfmiddlewaretoken={token}"
            " --data-urlencode 'title=VM test poll' -d type=universal -d url=vm-test-poll"
            " -d anonymous_allowed=on -d one_vote_per_user=on"
            f" {base}/"
        )
        assert re.match(r"302 .*/poll/vm-test-poll/edit/choices/universal/$", status), status
        machine.succeed(f"curl -fsS {base}/poll/vm-test-poll/ | grep -F 'VM test poll'")

    def exposure(machine, unit):
        out = machine.succeed(f"systemd-analyze security {unit} | tail -n1")
        level = float(re.search(r"level for \S+: ([0-9.]+)", out).group(1))
        assert level < 2.0, out
        return level

    start_all()

    for machine in [sqlite, postgresql]:
        machine.wait_for_unit("bitpoll.service")
        machine.wait_for_open_port(8000)
        machine.succeed("systemctl is-active bitpoll-migrate.service")
        machine.succeed("curl -fsS http://localhost:8000/ | grep -F csrfmiddlewaretoken")
        create_poll(machine, "http://localhost:8000")
        print(f"{machine.name}: exposure {exposure(machine, 'bitpoll.service')}")
        # The admin wrapper runs as root with the service's credentials.
        machine.succeed("bitpoll-manage createsuperuser --noinput --username admin --email admin@example.org")
        machine.fail("su -s /bin/sh nobody -c 'bitpoll-manage check'")
        # The rendered settings file holds no secret.
        environment = machine.succeed("systemctl show -P Environment bitpoll.service").split()
        settings = [e.split("=", 1)[1] for e in environment if e.startswith("BITPOLL_SETTINGS_FILE=")]
        assert len(settings) == 1 and settings[0].startswith("/nix/store/"), environment
        machine.succeed(f"test -s {settings[0]}")
        machine.fail(f"grep -F vm-test-secret-key {settings[0]}")

    # nginx proxies, and serves the static files collected at build time:
    # css/base.css is django-pipeline's package of the SCSS compiled by
    # libsass.
    sqlite.wait_for_unit("nginx.service")
    sqlite.succeed("curl -fsS http://localhost/ | grep -F csrfmiddlewaretoken")
    sqlite.succeed("curl -fsS http://localhost/static/css/base.css | grep -q '{'")
    sqlite.succeed("curl -fsS http://localhost/static/staticfiles.json | grep -F css/base.css")

    postgresql.succeed("sudo -u postgres psql -tA bitpoll -c 'select title from poll_poll' | grep -F 'VM test poll'")
  '';
}
