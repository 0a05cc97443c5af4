"""Driving the management forms: posts with files, pictures, audit entries, form errors."""

import io
import math
import os
import re
from html import unescape

from fastapi.testclient import TestClient
from httpx import Response
from PIL import Image
from sqlalchemy import select
from tests.e2e.pages_support import csrf_of

from newretail.audit.models import AuditEntry
from newretail.db import Database


def picture(size: tuple[int, int] = (64, 48), kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format=kind)
    return buffer.getvalue()


def noisy_picture(min_bytes: int) -> bytes:
    """A real PNG of at least ``min_bytes``: random pixels do not compress."""
    side = math.isqrt(min_bytes // 3) + 16
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def post_files(
    client: TestClient, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> Response:
    """Post a multipart form with a valid CSRF token, without following redirects."""
    token = csrf_of(client, "/console")
    return client.post(
        path, data={**fields, "csrf_token": token}, files=files, follow_redirects=False
    )


def field_error(html: str, name: str) -> str:
    """The error shown under the field ``name`` of a form, or ""."""
    match = re.search(rf'<p class="field__error" id="{re.escape(name)}-error">([^<]*)</p>', html)
    return unescape(match.group(1)) if match else ""


def audit_actions(database: Database, target_type: str) -> list[str]:
    with database.transaction(read_only=True) as session:
        rows = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.target_type == target_type)
            .order_by(AuditEntry.id)
        )
        return list(rows)
