"""Tests of nix/settings_local.py without Django: it runs as a module with
small stand-ins for the three imports it makes (django.core.exceptions,
ldap, django_auth_ldap.config), under the environments the package build and
the NixOS module give it.

    python3 nix/tests/settings_local_test.py
"""

import json
import os
import pathlib
import sys
import tempfile
import types
import unittest

SETTINGS_LOCAL = pathlib.Path(__file__).resolve().parent.parent / "settings_local.py"


class ImproperlyConfigured(Exception):
    pass


class LDAPSearch:
    def __init__(self, base, scope, filterstr):
        self.args = (base, scope, filterstr)


def install_stand_ins():
    django = types.ModuleType("django")
    core = types.ModuleType("django.core")
    exceptions = types.ModuleType("django.core.exceptions")
    exceptions.ImproperlyConfigured = ImproperlyConfigured
    ldap = types.ModuleType("ldap")
    ldap.SCOPE_SUBTREE = 2
    auth_ldap = types.ModuleType("django_auth_ldap")
    auth_ldap_config = types.ModuleType("django_auth_ldap.config")
    auth_ldap_config.LDAPSearch = LDAPSearch
    sys.modules.update(
        {
            "django": django,
            "django.core": core,
            "django.core.exceptions": exceptions,
            "ldap": ldap,
            "django_auth_ldap": auth_ldap,
            "django_auth_ldap.config": auth_ldap_config,
        }
    )


VARIABLES = [
    "BITPOLL_SETTINGS_FILE",
    "BITPOLL_STATE_DIR",
    "BITPOLL_EXTRA_SETTINGS",
    "BITPOLL_SECRET_KEY_FILE",
    "BITPOLL_ENCRYPTION_KEY_FILE",
    "BITPOLL_DB_PASSWORD_FILE",
    "BITPOLL_LDAP_BIND_PASSWORD_FILE",
    "CREDENTIALS_DIRECTORY",
]


class SettingsLocalTest(unittest.TestCase):
    def setUp(self):
        self.saved = {k: os.environ.pop(k) for k in VARIABLES if k in os.environ}
        self.dir = tempfile.TemporaryDirectory()
        self.tmp = pathlib.Path(self.dir.name)

    def tearDown(self):
        for k in VARIABLES:
            os.environ.pop(k, None)
        os.environ.update(self.saved)
        self.dir.cleanup()
        sys.modules.pop("bitpoll.settings", None)

    def write(self, name, text):
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    def credentials(self, **secrets):
        directory = self.tmp / "credentials"
        directory.mkdir()
        for name, value in secrets.items():
            (directory / name).write_text(value, encoding="utf-8")
        os.environ["CREDENTIALS_DIRECTORY"] = str(directory)

    def load(self):
        namespace = {"__name__": "bitpoll.settings_local"}
        exec(compile(SETTINGS_LOCAL.read_text(encoding="utf-8"), str(SETTINGS_LOCAL), "exec"), namespace)
        return namespace

    def test_credentials_and_settings_file(self):
        self.credentials(secret_key="s3cret\n", encryption_key="a2V5\n", db_password="pw\n")
        os.environ["BITPOLL_SETTINGS_FILE"] = self.write(
            "settings.json",
            json.dumps(
                {
                    "ALLOWED_HOSTS": ["polls.example.org"],
                    "DATABASES": {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "bitpoll"}},
                    "SITE_NAME": "Polls",
                }
            ),
        )
        s = self.load()
        self.assertEqual(s["SECRET_KEY"], "s3cret")
        self.assertEqual(s["FIELD_ENCRYPTION_KEY"], "a2V5")
        self.assertEqual(s["ALLOWED_HOSTS"], ["polls.example.org"])
        self.assertEqual(s["SITE_NAME"], "Polls")
        self.assertEqual(
            s["DATABASES"]["default"],
            {"ENGINE": "django.db.backends.postgresql", "NAME": "bitpoll", "PASSWORD": "pw"},
        )
        self.assertEqual(
            (s["INSTALLED_APPS_LOCAL"], s["MIDDLEWARE_LOCAL"], s["PIPELINE_LOCAL"]),
            ([], [], {"PIPELINE_COLLECTOR_ENABLED": False}),
        )
        self.assertFalse(s["DEBUG"])

    def test_variables_win_over_credentials(self):
        self.credentials(secret_key="from-credential", encryption_key="k")
        os.environ["BITPOLL_SECRET_KEY_FILE"] = self.write("key", "from-variable")
        self.assertEqual(self.load()["SECRET_KEY"], "from-variable")

    def test_defaults_use_state_dir(self):
        os.environ["BITPOLL_SECRET_KEY_FILE"] = self.write("key", "k")
        os.environ["BITPOLL_ENCRYPTION_KEY_FILE"] = self.write("enc", "e")
        os.environ["BITPOLL_STATE_DIR"] = "/var/lib/bitpoll"
        s = self.load()
        self.assertEqual(s["DATABASES"]["default"]["NAME"], "/var/lib/bitpoll/bitpoll.sqlite3")
        self.assertEqual(s["MEDIA_ROOT"], "/var/lib/bitpoll/media")
        self.assertNotIn("PASSWORD", s["DATABASES"]["default"])

    def test_missing_secret_key(self):
        os.environ["BITPOLL_ENCRYPTION_KEY_FILE"] = self.write("enc", "e")
        with self.assertRaisesRegex(ImproperlyConfigured, "no SECRET_KEY"):
            self.load()

    def test_missing_encryption_key(self):
        self.credentials(secret_key="k")
        with self.assertRaisesRegex(ImproperlyConfigured, "no FIELD_ENCRYPTION_KEY"):
            self.load()

    def test_unreadable_secret_names_variable_and_path(self):
        os.environ["BITPOLL_SECRET_KEY_FILE"] = str(self.tmp / "absent")
        with self.assertRaisesRegex(ImproperlyConfigured, "BITPOLL_SECRET_KEY_FILE.*absent"):
            self.load()

    def test_bad_settings_file(self):
        self.credentials(secret_key="k", encryption_key="e")
        os.environ["BITPOLL_SETTINGS_FILE"] = self.write("settings.json", "[1, 2]")
        with self.assertRaisesRegex(ImproperlyConfigured, "expected a JSON object"):
            self.load()
        os.environ["BITPOLL_SETTINGS_FILE"] = self.write("broken.json", "{")
        with self.assertRaisesRegex(ImproperlyConfigured, "broken.json"):
            self.load()

    def test_ldap_search_assembled(self):
        self.credentials(secret_key="k", encryption_key="e", ldap_bind_password="bindpw")
        os.environ["BITPOLL_SETTINGS_FILE"] = self.write(
            "settings.json",
            json.dumps(
                {
                    "AUTH_LDAP_SERVER_URI": "ldaps://ldap.example.org",
                    "AUTH_LDAP_USER_SEARCH_BASE": "ou=people,dc=example,dc=org",
                    "AUTH_LDAP_USER_SEARCH_FILTER": "(uid=%(user)s)",
                }
            ),
        )
        s = self.load()
        self.assertEqual(s["AUTH_LDAP_USER_SEARCH"].args, ("ou=people,dc=example,dc=org", 2, "(uid=%(user)s)"))
        self.assertEqual(s["AUTH_LDAP_BIND_PASSWORD"], "bindpw")
        self.assertNotIn("AUTH_LDAP_USER_SEARCH_BASE", s)
        self.assertNotIn("AUTH_LDAP_USER_SEARCH_FILTER", s)

    def test_extra_settings_run_last(self):
        self.credentials(secret_key="k", encryption_key="e")
        os.environ["BITPOLL_SETTINGS_FILE"] = self.write("settings.json", json.dumps({"TIME_ZONE": "UTC"}))
        os.environ["BITPOLL_EXTRA_SETTINGS"] = self.write(
            "extra.py", "import re\nTIME_ZONE = TIME_ZONE + '!'\nINSTALLED_APPS_LOCAL.append('x')\nPATTERN = re.compile('a|b')\n"
        )
        s = self.load()
        self.assertEqual(s["TIME_ZONE"], "UTC!")
        self.assertEqual(s["INSTALLED_APPS_LOCAL"], ["x"])
        self.assertTrue(s["PATTERN"].match("b"))

    def parent(self, **attrs):
        """The partly executed bitpoll/settings.py that imports settings_local."""
        module = types.ModuleType("bitpoll.settings")
        module.__dict__.update(attrs)
        sys.modules["bitpoll.settings"] = module
        return module

    def test_staticfiles_storage_moves_to_storages(self):
        self.credentials(secret_key="k", encryption_key="e")
        parent = self.parent(STATICFILES_STORAGE="pipeline.storage.PipelineManifestStorage")
        s = self.load()
        self.assertEqual(
            s["STORAGES"],
            {
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "pipeline.storage.PipelineManifestStorage"},
            },
        )
        self.assertFalse(hasattr(parent, "STATICFILES_STORAGE"))

    def test_storages_left_alone(self):
        self.credentials(secret_key="k", encryption_key="e")
        self.parent(STORAGES={"staticfiles": {"BACKEND": "x"}})
        self.assertNotIn("STORAGES", self.load())
        sys.modules.pop("bitpoll.settings")
        self.assertNotIn("STORAGES", self.load())

    def test_errors_logged_to_stderr(self):
        self.credentials(secret_key="k", encryption_key="e")
        logging = self.load()["LOGGING"]
        self.assertEqual(logging["handlers"]["stderr"]["class"], "logging.StreamHandler")
        self.assertIn("stderr", logging["loggers"]["django"]["handlers"])
        self.assertFalse(logging["disable_existing_loggers"])
        os.environ["BITPOLL_SETTINGS_FILE"] = self.write("settings.json", json.dumps({"LOGGING": {"version": 1}}))
        self.assertEqual(self.load()["LOGGING"], {"version": 1})

    def test_secret_settings_from_credentials(self):
        self.credentials(
            secret_key="k",
            encryption_key="e",
            setting_EMAIL_HOST_PASSWORD="mailpw\n",
            setting_OPENID_CLIENT_SECRET="oidc",
            setting_lower="ignored",
            other="ignored",
        )
        os.environ["BITPOLL_SETTINGS_FILE"] = self.write("settings.json", json.dumps({"EMAIL_HOST_PASSWORD": "x"}))
        s = self.load()
        self.assertEqual((s["EMAIL_HOST_PASSWORD"], s["OPENID_CLIENT_SECRET"]), ("mailpw", "oidc"))
        self.assertNotIn("lower", s)
        self.assertNotIn("setting_lower", s)

    def test_openid_admin_groups_compiled(self):
        self.credentials(secret_key="k", encryption_key="e")
        os.environ["BITPOLL_SETTINGS_FILE"] = self.write(
            "settings.json", json.dumps({"OPENID_ADMIN_GROUPS": "admins|superusers"})
        )
        groups = self.load()["OPENID_ADMIN_GROUPS"]
        self.assertIsNotNone(groups.fullmatch("admins"))
        self.assertIsNone(groups.fullmatch("adminsx"))


if __name__ == "__main__":
    install_stand_ins()
    unittest.main(verbosity=2)
