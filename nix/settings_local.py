# Bitpoll's settings_local.py for Nix deployments.
#
# Bitpoll's settings.py ends with `from .settings_local import *`, so this
# module is copied into the package as bitpoll/settings_local.py. The package
# lives in the read-only Nix store and is shared by every instance, so nothing
# deployment specific is baked in: it is all read at run time.
#
# - BITPOLL_SETTINGS_FILE: a JSON object of Django settings (the NixOS module
#   renders it from services.bitpoll.settings); each key becomes a setting.
# - Secrets come from files, never from the environment or the JSON file:
#   systemd credentials ($CREDENTIALS_DIRECTORY/secret_key, encryption_key,
#   db_password, ldap_bind_password) or the paths in BITPOLL_SECRET_KEY_FILE,
#   BITPOLL_ENCRYPTION_KEY_FILE, BITPOLL_DB_PASSWORD_FILE and
#   BITPOLL_LDAP_BIND_PASSWORD_FILE (these win when set).
# - Any other secret setting comes from a credential named setting_<NAME>
#   (services.bitpoll.secretFiles, mail.passwordFile, openid.clientSecretFile):
#   its content becomes the setting NAME.
# - BITPOLL_EXTRA_SETTINGS: a Python file executed last, for settings JSON
#   cannot express (services.bitpoll.extraConfig).
# - Django 5.1 removed STATICFILES_STORAGE, which Bitpoll at 4a3e6a5 still
#   sets: it is moved into STORAGES (understood since Django 4.2).
import json
import os
import re
import sys

from django.core.exceptions import ImproperlyConfigured


def _read_secret(credential, variable):
    """Return the stripped content of a secret file, or None when none is configured."""
    path = os.environ.get(variable)
    if not path:
        directory = os.environ.get("CREDENTIALS_DIRECTORY")
        if directory and os.path.isfile(os.path.join(directory, credential)):
            path = os.path.join(directory, credential)
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            # Files made with `echo key > file` end with a newline that is not
            # part of the key.
            return f.read().strip()
    except OSError as e:
        raise ImproperlyConfigured(f"cannot read {variable} / credential {credential!r} at {path}: {e}") from e


# Defaults for running outside the NixOS module (e.g. `bitpoll-manage` by
# hand): state in BITPOLL_STATE_DIR, else the working directory, because the
# defaults in settings.py point into the read-only package.
_state_dir = os.environ.get("BITPOLL_STATE_DIR", os.getcwd())
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(_state_dir, "bitpoll.sqlite3"),
    }
}
MEDIA_ROOT = os.path.join(_state_dir, "media")
DEBUG = False
INSTALLED_APPS_LOCAL = []
MIDDLEWARE_LOCAL = []
# django-pipeline packs (and compiles the SCSS) in collectstatic at build
# time; its collector would copy files into STATIC_ROOT, which is in the
# read-only store, at run time.
PIPELINE_LOCAL = {"PIPELINE_COLLECTOR_ENABLED": False}


def _storages_from(parent):
    """Move the settings module's STATICFILES_STORAGE into STORAGES.

    Django 5.1 ignores STATICFILES_STORAGE (collectstatic would then pack
    nothing and css/base.css would be missing), and Django 4.2 and 5.0 refuse
    both settings at once; STORAGES works from 4.2 on. Returns the STORAGES
    to define here, or None when the settings module already uses STORAGES.
    """
    backend = getattr(parent, "STATICFILES_STORAGE", None)
    if backend is None:
        return None
    del parent.STATICFILES_STORAGE
    storages = dict(getattr(parent, "STORAGES", None) or {})
    storages.setdefault("default", {"BACKEND": "django.core.files.storage.FileSystemStorage"})
    storages["staticfiles"] = {"BACKEND": backend}
    return storages


# This module runs while bitpoll/settings.py executes `from .settings_local
# import *`: the partly executed settings module is in sys.modules.
_parent = sys.modules.get(__name__.rpartition(".")[0] + ".settings")
if _parent is not None:
    _storages = _storages_from(_parent)
    if _storages is not None:
        STORAGES = _storages

# Errors reach the journal: without LOGGING, Django sends the tracebacks of
# 500 errors to mail_admins only (DEBUG off). The NixOS module derives the
# same value; a LOGGING in the settings file replaces it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {"django": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
}

_settings_file = os.environ.get("BITPOLL_SETTINGS_FILE")
if _settings_file:
    try:
        with open(_settings_file, encoding="utf-8") as f:
            _settings = json.load(f)
    except (OSError, ValueError) as e:
        raise ImproperlyConfigured(f"BITPOLL_SETTINGS_FILE={_settings_file}: {e}") from e
    if not isinstance(_settings, dict):
        raise ImproperlyConfigured(f"BITPOLL_SETTINGS_FILE={_settings_file}: expected a JSON object")
    globals().update(_settings)

SECRET_KEY = _read_secret("secret_key", "BITPOLL_SECRET_KEY_FILE")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "no SECRET_KEY: provide the systemd credential 'secret_key' or set BITPOLL_SECRET_KEY_FILE"
    )

# django-encrypted-model-fields wants a Fernet key (32 url-safe base64 bytes).
FIELD_ENCRYPTION_KEY = _read_secret("encryption_key", "BITPOLL_ENCRYPTION_KEY_FILE")
if not FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured(
        "no FIELD_ENCRYPTION_KEY: provide the systemd credential 'encryption_key' "
        "or set BITPOLL_ENCRYPTION_KEY_FILE"
    )

_db_password = _read_secret("db_password", "BITPOLL_DB_PASSWORD_FILE")
if _db_password is not None:
    DATABASES["default"]["PASSWORD"] = _db_password

# Secret settings, one credential each: setting_<NAME> holds the setting NAME.
_credentials_dir = os.environ.get("CREDENTIALS_DIRECTORY")
if _credentials_dir and os.path.isdir(_credentials_dir):
    for _entry in sorted(os.listdir(_credentials_dir)):
        _name = _entry[len("setting_") :]
        if _entry.startswith("setting_") and re.fullmatch(r"[A-Z][A-Z0-9_]*", _name):
            globals()[_name] = _read_secret(_entry, "BITPOLL_" + _name + "_FILE")

# A regular expression cannot be written in JSON: the module passes
# OPENID_ADMIN_GROUPS as a string, which bitpoll/base/openid.py would call
# .fullmatch on.
if isinstance(globals().get("OPENID_ADMIN_GROUPS"), str):
    OPENID_ADMIN_GROUPS = re.compile(OPENID_ADMIN_GROUPS)

# LDAPSearch objects cannot be written in JSON: the module passes the search
# base and filter as plain strings and they are assembled here.
if "AUTH_LDAP_USER_SEARCH_BASE" in globals():
    import ldap
    from django_auth_ldap.config import LDAPSearch

    AUTH_LDAP_USER_SEARCH = LDAPSearch(
        globals().pop("AUTH_LDAP_USER_SEARCH_BASE"),
        ldap.SCOPE_SUBTREE,
        globals().pop("AUTH_LDAP_USER_SEARCH_FILTER", "(uid=%(user)s)"),
    )
    AUTH_LDAP_BIND_PASSWORD = _read_secret("ldap_bind_password", "BITPOLL_LDAP_BIND_PASSWORD_FILE") or ""

_extra_settings = os.environ.get("BITPOLL_EXTRA_SETTINGS")
if _extra_settings:
    with open(_extra_settings, encoding="utf-8") as f:
        exec(compile(f.read(), _extra_settings, "exec"))
