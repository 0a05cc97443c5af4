"""The keys a merchant account names, read on the server from its brand's namespace.

A reference (``rules.parse_secret_ref``) is checked again here, so a row written by any
path cannot reach outside ``<payment_secrets_dir>/<brand code>/`` or the brand's entries of
the ``payment_secrets`` setting. What is read is never logged nor put in an error.
"""

from pathlib import Path

from newretail.config import Settings
from newretail.payments.merchants import errors, rules


def read_secret(ref: str, *, brand_code: str, settings: Settings) -> str:
    """The text ``ref`` names for the brand; ``merchant_secret_unavailable`` if it cannot."""
    try:
        kind, name = rules.parse_secret_ref(ref)
    except ValueError as exc:
        raise errors.MerchantSecretUnavailable(f"{ref!r} is not a secret reference.") from exc
    if kind == "setting":
        value = settings.payment_secrets.get(f"{brand_code}/{name}")
        if value is None:
            raise errors.MerchantSecretUnavailable(
                f"The payment_secrets setting has no entry {brand_code}/{name}."
            )
        return value
    root = (Path(settings.payment_secrets_dir) / brand_code).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):  # a symlink pointing out of the brand's folder
        raise errors.MerchantSecretUnavailable(f"{ref} leaves the brand's secrets folder.")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.MerchantSecretUnavailable(f"{ref} cannot be read on the server.") from exc
