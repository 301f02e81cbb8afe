"""Fails the Bitpoll build when collectstatic did not produce what Bitpoll serves.

Run after `manage.py collectstatic` with Bitpoll's settings:

    python check_static.py

Every bundle django-pipeline declares (PIPELINE's STYLESHEETS and JAVASCRIPT
output files, css/base.css among them, compiled from SCSS) must exist,
non-empty, in STATIC_ROOT, and be listed in the manifest staticfiles.json
that the manifest storage writes. An incompatible Django (5.1 ignores
STATICFILES_STORAGE) or a settings change then fails `nix build` instead of
serving 404s.
"""

import json
import os
import sys


def bundle_outputs(pipeline):
    """The output file names of every stylesheet and JavaScript bundle."""
    outputs = []
    for kind in ("STYLESHEETS", "JAVASCRIPT"):
        for name, bundle in sorted((pipeline.get(kind) or {}).items()):
            outputs.append(bundle["output_filename"])
    return outputs


def problems(static_root, pipeline):
    """What is missing from STATIC_ROOT, one sentence each; empty when all is there."""
    found = []
    outputs = bundle_outputs(pipeline)
    if not outputs:
        found.append("PIPELINE declares no stylesheet or JavaScript bundle")
    for output in outputs:
        path = os.path.join(static_root, output)
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            found.append(f"{path}: missing or empty")
    manifest_path = os.path.join(static_root, "staticfiles.json")
    try:
        with open(manifest_path, encoding="utf-8") as f:
            paths = json.load(f).get("paths", {})
    except (OSError, ValueError, AttributeError) as e:
        found.append(f"{manifest_path}: no readable manifest ({e})")
        return found
    for output in outputs:
        if output not in paths:
            found.append(f"{manifest_path}: does not list {output}")
    return found


def main():
    from django.conf import settings

    import django

    django.setup()
    found = problems(settings.STATIC_ROOT, settings.PIPELINE)
    for problem in found:
        print(f"check_static: {problem}", file=sys.stderr)
    if found:
        print(
            f"check_static: collectstatic did not produce Bitpoll's static files (Django {django.get_version()})",
            file=sys.stderr,
        )
        return 1
    print(f"check_static: {len(bundle_outputs(settings.PIPELINE))} bundles and the manifest are in {settings.STATIC_ROOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
