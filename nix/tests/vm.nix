# Boots the module twice, with SQLite behind nginx and with a local
# PostgreSQL, and drives Bitpoll like a user: front page, then a poll created
# through the web form (CSRF token and cookie included). The SQLite machine
# has nothing prepared (keys generated on first start); it also checks the
# maintenance timer, an error's traceback in the journal and the refusal of
# a changed encryption key. The PostgreSQL machine has key files, and checks
# that a new key is refused by the database check even when the recorded
# fingerprint is gone.
{
  testers,
  # The flake's nixosModules.bitpoll.
  module,
}:
let
  common = {
    imports = [ module ];
    services.bitpoll = {
      enable = true;
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
      # Test-only keys, kept out of the way of the module's store check by
      # being written at boot; the Fernet key is 32 zero bytes.
      systemd.tmpfiles.rules = [
        "d /var/lib/secrets 0700 root root -"
        "f /var/lib/secrets/bitpoll-secret-key 0400 root root - vm-test-secret-key-not-for-production"
        "f /var/lib/secrets/bitpoll-encryption-key 0400 root root - AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
      ];
      services.bitpoll = {
        secretKeyFile = "/var/lib/secrets/bitpoll-secret-key";
        encryptionKeyFile = "/var/lib/secrets/bitpoll-encryption-key";
        database = {
          type = "postgresql";
          createLocally = true;
          backupBeforeMigrate = true;
        };
      };
    };
  };

  testScript = ''
    import re
    import shlex

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
        machine.fail(f"grep -F SECRET_KEY {settings[0]}")

    def manage_shell(machine, code):
        return machine.succeed(f"bitpoll-manage shell -c {shlex.quote(code)}").strip()

    # nginx proxies, and serves the static files collected at build time:
    # css/base.css is django-pipeline's package of the SCSS compiled by
    # libsass.
    sqlite.wait_for_unit("nginx.service")
    sqlite.succeed("curl -fsS http://localhost/ | grep -F csrfmiddlewaretoken")
    sqlite.succeed("curl -fsS http://localhost/static/css/base.css | grep -q '{'")
    sqlite.succeed("curl -fsS http://localhost/static/staticfiles.json | grep -F css/base.css")

    postgresql.succeed("sudo -u postgres psql -tA bitpoll -c 'select title from poll_poll' | grep -F 'VM test poll'")
    # The first start had every migration pending: a dump was made before.
    postgresql.succeed("test -s \"$(ls /var/lib/bitpoll/backups/pre-migrate-*.pgdump)\"")

    # Generated keys: root's alone, in the state directory, kept.
    sqlite.succeed("test \"$(stat -c '%U %a' /var/lib/bitpoll/keys)\" = 'root 700'")
    for key in ["secret_key", "encryption_key", "encryption_key.sha256"]:
        sqlite.succeed(f"test \"$(stat -c '%U %a' /var/lib/bitpoll/keys/{key})\" = 'root 400'")
    sqlite.succeed("test \"$(stat -c '%U' /var/lib/bitpoll)\" = bitpoll")
    sqlite.fail("su -s /bin/sh bitpoll -c 'cat /var/lib/bitpoll/keys/secret_key'")
    sqlite.succeed("journalctl -u bitpoll-keys.service | grep -F 'generated /var/lib/bitpoll/keys/encryption_key'")
    fingerprint = sqlite.succeed("sha256sum /var/lib/bitpoll/keys/encryption_key")
    sqlite.succeed("systemctl restart bitpoll-keys.service && systemctl start bitpoll.service")
    sqlite.wait_for_open_port(8000)
    assert sqlite.succeed("sha256sum /var/lib/bitpoll/keys/encryption_key") == fingerprint
    sqlite.succeed("curl -fsS http://localhost:8000/poll/vm-test-poll/ | grep -F 'VM test poll'")

    # The maintenance timer is scheduled, and its run clears expired sessions.
    sqlite.succeed("systemctl list-timers --all | grep -F bitpoll-maintenance.timer")
    manage_shell(sqlite,
        "import datetime; from django.utils import timezone; from django.contrib.sessions.models import Session; "
        "Session.objects.create(session_key='vmtestexpired', session_data='e30', "
        "expire_date=timezone.now() - datetime.timedelta(days=1))")
    sqlite.succeed("systemctl start bitpoll-maintenance.service")
    assert sqlite.succeed("systemctl show -P Result bitpoll-maintenance.service").strip() == "success"
    count = manage_shell(sqlite,
        "from django.contrib.sessions.models import Session; "
        "print(Session.objects.filter(session_key='vmtestexpired').count())")
    assert count == "0", count

    # A server error's traceback reaches the journal (DEBUG is off): the
    # database made unreadable for one request.
    sqlite.succeed("chmod 000 /var/lib/bitpoll/bitpoll.sqlite3")
    status = sqlite.succeed("curl -sS -o /dev/null -w '%{http_code}' http://localhost:8000/poll/vm-test-poll/")
    sqlite.succeed("chmod 600 /var/lib/bitpoll/bitpoll.sqlite3")
    assert status == "500", status
    sqlite.wait_until_succeeds(
        "journalctl -u bitpoll.service | grep -F 'ERROR django.request: Internal Server Error: /poll/vm-test-poll/'")
    sqlite.succeed("journalctl -u bitpoll.service | grep -F 'Traceback (most recent call last)'")

    # A changed encryption key is refused, with the reason in the journal.
    sqlite.succeed("echo BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB= > /var/lib/bitpoll/keys/encryption_key")
    sqlite.fail("systemctl restart bitpoll-keys.service")
    sqlite.succeed("journalctl -u bitpoll-keys.service | grep -F 'refusing to start: FIELD_ENCRYPTION_KEY changed'")
    sqlite.fail("systemctl restart bitpoll.service")

    # With the fingerprint lost too (a lost state directory, a kept
    # database), the database check after migrating still refuses a new key.
    manage_shell(postgresql,
        "from bitpoll.base.models import BitpollUser; from bitpoll.caldav.models import DavCalendar; "
        "DavCalendar.objects.create(user=BitpollUser.objects.get(username='admin'), name='vm', "
        "url='https://user:secret@dav.example.org/cal')")
    postgresql.fail("sudo -u postgres psql -tA bitpoll -c 'select url from caldav_davcalendar' | grep -F dav.example.org")
    postgresql.succeed(
        "rm /var/lib/bitpoll/keys/encryption_key.sha256 && "
        "echo BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB= > /var/lib/secrets/bitpoll-encryption-key")
    postgresql.succeed("systemctl restart bitpoll-keys.service")
    postgresql.fail("systemctl restart bitpoll-migrate.service")
    postgresql.succeed(
        "journalctl -u bitpoll-migrate.service | grep -F 'does not decrypt the data already stored in caldav.DavCalendar.url'")
  '';
}
