"""Tests of nix/check_static.py without Django: the bundle check on scratch
STATIC_ROOT trees.

    python3 nix/tests/check_static_test.py
"""

import importlib.util
import json
import pathlib
import tempfile
import unittest

SOURCE = pathlib.Path(__file__).resolve().parent.parent / "check_static.py"
spec = importlib.util.spec_from_file_location("check_static", SOURCE)
check_static = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_static)

# The shape of Bitpoll's PIPELINE setting, reduced to two bundles.
PIPELINE = {
    "STYLESHEETS": {"base": {"source_filenames": ("scss/main.scss",), "output_filename": "css/base.css"}},
    "JAVASCRIPT": {"base": {"source_filenames": ("js/main.js",), "output_filename": "js/base.js"}},
}


class ProblemsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.dir.name)

    def tearDown(self):
        self.dir.cleanup()

    def put(self, name, text):
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def manifest(self, *names):
        self.put("staticfiles.json", json.dumps({"version": "1.1", "paths": {n: n for n in names}}))

    def test_complete_tree_passes(self):
        self.put("css/base.css", "body { color: black }")
        self.put("js/base.js", "var x;")
        self.manifest("css/base.css", "js/base.js")
        self.assertEqual(check_static.problems(str(self.root), PIPELINE), [])

    def test_missing_compiled_css(self):
        self.put("js/base.js", "var x;")
        self.manifest("js/base.js")
        found = check_static.problems(str(self.root), PIPELINE)
        self.assertTrue(any("css/base.css: missing or empty" in p for p in found), found)
        self.assertTrue(any("does not list css/base.css" in p for p in found), found)

    def test_empty_bundle(self):
        self.put("css/base.css", "")
        self.put("js/base.js", "var x;")
        self.manifest("css/base.css", "js/base.js")
        self.assertEqual(len(check_static.problems(str(self.root), PIPELINE)), 1)

    def test_missing_manifest(self):
        # What Django 5.1 leaves when it ignores STATICFILES_STORAGE: files
        # copied, nothing packed, no manifest.
        self.put("css/base.css", "x")
        self.put("js/base.js", "x")
        found = check_static.problems(str(self.root), PIPELINE)
        self.assertEqual(len(found), 1)
        self.assertIn("no readable manifest", found[0])

    def test_no_bundles_declared(self):
        self.manifest()
        self.assertIn("declares no", check_static.problems(str(self.root), {})[0])

    def test_bundle_outputs_in_order(self):
        self.assertEqual(check_static.bundle_outputs(PIPELINE), ["css/base.css", "js/base.js"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
