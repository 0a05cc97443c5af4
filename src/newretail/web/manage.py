"""What the console's management screens share: forms that carry files, the form's brand,
the picture storage, and a refused write shown again on its form.

A form posted with files (``UploadDep``) is read once, its CSRF token checked like any
form; each file is read up to one byte past the upload limit, so the catalog's check can
say "too large" without the server holding more than that in memory per file. A request
whose declared length is far beyond what any form here needs is refused before its body
is parsed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from newretail.catalog import service as catalog_service
from newretail.config import Settings
from newretail.kernel.errors import DomainError, InvalidInput
from newretail.org.schemas import BrandRead
from newretail.web import data, forms, security
from newretail.web.console_forms import FormState
from newretail.web.manage_fields import FieldProblem
from newretail.web.pages import CsrfFailed, Page, csrf_binding, settings_of

MAX_FILES = 4
MAX_FIELDS = 200
BODY_SLACK = 256 * 1024


class RequestTooLarge(InvalidInput):
    code = "request_too_large"
    status = 413
    default_detail = "The upload is far too large."


@dataclass
class UploadForm:
    """The posted text fields and, per file field, its bytes (empty file fields left out)."""

    fields: dict[str, str]
    files: dict[str, bytes] = field(default_factory=dict)


async def read_upload_form(request: Request) -> UploadForm:
    limit = settings_of(request).media_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FILES * (limit + 1) + BODY_SLACK:
        raise RequestTooLarge()
    form = await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS)
    try:
        fields = {name: value for name, value in form.items() if isinstance(value, str)}
        files: dict[str, bytes] = {}
        for name, value in form.items():
            if isinstance(value, UploadFile):
                content = await value.read(limit + 1)
                if content or value.filename:
                    files[name] = content
    finally:
        await form.close()
    token = fields.pop("csrf_token", None)
    if not security.csrf_valid(settings_of(request).secret_key, csrf_binding(request), token):
        raise CsrfFailed()
    return UploadForm(fields, files)


UploadDep = Annotated[UploadForm, Depends(read_upload_form)]


def form_brand(page: Page, session: Session, fields: dict[str, str]) -> BrandRead:
    """The brand a posted form works on: its ``brand`` field for a platform admin."""
    value = fields.get("brand", "")
    brand_id = int(value) if value.isdigit() and len(value) < 19 else None
    return data.brand(session=session, scope=page.caller, brand_id=brand_id)


def brand_param(page: Page, brand: BrandRead) -> int | None:
    return brand.id if page.caller.is_platform else None


def image_storage(settings: Settings) -> catalog_service.LocalImageStorage:
    return catalog_service.storage_for(settings)


def parse(state: FormState, name: str, parser: Callable[[], Any]) -> Any:
    """``parser()``; a ``FieldProblem`` becomes the field's error and the result None."""
    try:
        return parser()
    except FieldProblem as problem:
        state.add_field_errors({name: problem.key})
        return None


def attempt(
    session: Session,
    state: FormState,
    write: Callable[[], Any],
    again: Callable[[int], HTMLResponse],
    explain: Callable[[DomainError], None] | None = None,
) -> tuple[Any, HTMLResponse | None]:
    """Run ``write`` unless the form has errors; a refusal rolls back and shows the form again.

    Returns ``(result, None)`` on success, else ``(None, the form with its errors)``.
    ``explain`` may add to a domain error's message once the refused write is undone.
    """
    if not state.errors:
        try:
            return write(), None
        except ValidationError as exc:
            session.rollback()
            state.add_field_errors(forms.field_errors(exc))
        except DomainError as exc:
            session.rollback()
            state.add_domain_error(exc)
            if explain is not None:
                explain(exc)
            return None, again(exc.status)
    return None, again(422)
