"""Tests of nix/check_encryption_key.py's decision, without Django: the
module's pure functions, with the real `cryptography` package (skipped when
it is not installed).

    python3 nix/tests/check_encryption_key_test.py
"""

import importlib.util
import pathlib
import sys
import types
import unittest

try:
    from cryptography.fernet import Fernet
except ImportError:  # pragma: no cover - depends on the machine
    Fernet = None

SOURCE = pathlib.Path(__file__).resolve().parent.parent / "check_encryption_key.py"


def load():
    # Only BaseCommand and CommandError are imported at module level.
    base = types.ModuleType("django.core.management.base")
    base.BaseCommand = object
    base.CommandError = Exception
    for name in ["django", "django.core", "django.core.management"]:
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["django.core.management.base"] = base
    spec = importlib.util.spec_from_file_location("check_encryption_key", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@unittest.skipIf(Fernet is None, "cryptography is not installed")
class UndecryptableTest(unittest.TestCase):
    def setUp(self):
        self.m = load()
        self.old, self.new = Fernet.generate_key(), Fernet.generate_key()
        self.stored = Fernet(self.old).encrypt(b"https://user:pw@dav.example.org/cal").decode()

    def test_same_key_passes(self):
        self.assertEqual(self.m.undecryptable([("caldav.DavCalendar.url", self.stored)], [self.old.decode()]), [])

    def test_other_key_is_reported(self):
        self.assertEqual(
            self.m.undecryptable([("caldav.DavCalendar.url", self.stored)], [self.new.decode()]),
            ["caldav.DavCalendar.url"],
        )

    def test_rotation_list_with_the_old_key_passes(self):
        keys = self.m.configured_keys(self.new.decode() + "," + self.old.decode())
        self.assertEqual(self.m.undecryptable([("x", self.stored)], keys), [])

    def test_empty_database_passes(self):
        self.assertEqual(self.m.undecryptable([], [self.new]), [])

    def test_configured_keys(self):
        self.assertEqual(self.m.configured_keys(" a , b,"), ["a", "b"])
        self.assertEqual(self.m.configured_keys(("a", "b")), ["a", "b"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
