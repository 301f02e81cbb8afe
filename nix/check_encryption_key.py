"""Management command check_encryption_key, added to Bitpoll by the Nix package.

Refuses to go on when FIELD_ENCRYPTION_KEY cannot decrypt the values already
stored in encrypted fields (Bitpoll's CalDAV calendar URLs).
django-encrypted-model-fields returns the ciphertext unchanged when
decryption fails, so a changed key would otherwise go unnoticed until users
see garbage. The NixOS module runs this after every migration; together
with the key fingerprint kept in the state directory it catches a new key
even when the state directory was lost and a remote database kept.
"""

from django.core.management.base import BaseCommand, CommandError


def undecryptable(samples, keys):
    """Return the labels of the samples that none of the keys decrypts.

    samples: (label, ciphertext) pairs; keys: Fernet keys (str or bytes).
    """
    from cryptography.fernet import Fernet, InvalidToken, MultiFernet

    crypter = MultiFernet([Fernet(k) for k in keys])
    bad = []
    for label, ciphertext in samples:
        if isinstance(ciphertext, str):
            ciphertext = ciphertext.encode("utf-8")
        try:
            crypter.decrypt(ciphertext)
        except InvalidToken:
            bad.append(label)
    return bad


def configured_keys(value):
    """FIELD_ENCRYPTION_KEY as a list: one key, or several (comma-separated or a sequence)."""
    if isinstance(value, (list, tuple)):
        return list(value)
    return [k.strip() for k in value.split(",") if k.strip()]


class Command(BaseCommand):
    help = "Check that FIELD_ENCRYPTION_KEY decrypts the values stored in encrypted fields."

    def handle(self, *args, **options):
        from django.apps import apps
        from django.conf import settings
        from django.db import connection
        from encrypted_model_fields.fields import EncryptedMixin

        quote = connection.ops.quote_name
        samples = []
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, EncryptedMixin):
                    continue
                # The raw column: the field's own conversion hides failures.
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {quote(field.column)} FROM {quote(model._meta.db_table)}"
                        f" WHERE {quote(field.column)} IS NOT NULL AND {quote(field.column)} <> ''"
                        " LIMIT 1"
                    )
                    row = cursor.fetchone()
                if row is not None:
                    samples.append((f"{model._meta.label}.{field.name}", row[0]))
        bad = undecryptable(samples, configured_keys(settings.FIELD_ENCRYPTION_KEY))
        if bad:
            raise CommandError(
                "FIELD_ENCRYPTION_KEY does not decrypt the data already stored in "
                + ", ".join(bad)
                + ": this database was written with another key. Configure that key "
                "(services.bitpoll.encryptionKeyFile) instead of starting with a new one."
            )
        self.stdout.write(f"FIELD_ENCRYPTION_KEY decrypts the stored data ({len(samples)} encrypted columns sampled)")
