"""Channel secrets (app secrets, robot keys, SMTP passwords), read by reference.

A channel row stores ``setting:NAME`` or ``file:RELATIVE/PATH``, never the secret: the
name is looked up under its brand's code in the ``notify_secrets`` setting, or the file
under ``<notify_secrets_dir>/<brand code>/``. What is read is never logged nor put in an
error message.
"""

import re
from pathlib import Path

from newretail.config import Settings

_REF = re.compile(r"^(setting|file):([A-Za-z0-9_.\-/]{1,200})$")


class SecretUnavailable(Exception):
    """The reference is malformed or names nothing readable."""


def check_ref(ref: str) -> str:
    """``ref`` if it is a reference that stays in its brand's namespace; else ValueError."""
    match = _REF.match(ref)
    if match is None:
        raise ValueError("a secret reference is setting:NAME or file:RELATIVE/PATH")
    if match.group(1) == "file" and any(p in ("", ".", "..") for p in match.group(2).split("/")):
        raise ValueError("a file reference is a relative path without '.' or '..' parts")
    return ref


def read_secret(ref: str, *, brand_code: str, settings: Settings) -> str:
    try:
        check_ref(ref)
    except ValueError as exc:
        raise SecretUnavailable(f"{ref!r} is not a secret reference.") from exc
    kind, _, name = ref.partition(":")
    if kind == "setting":
        value = settings.notify_secrets.get(f"{brand_code}/{name}")
        if value is None:
            raise SecretUnavailable(f"The notify_secrets setting has no entry {brand_code}/{name}.")
        return value
    root = (Path(settings.notify_secrets_dir) / brand_code).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise SecretUnavailable(f"{ref} leaves the brand's secrets folder.")
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretUnavailable(f"{ref} cannot be read on the server.") from exc
