"""Checks every request passes before its endpoint runs, on the API and the pages alike.

Bodies are checked by ``InputModel``; the URL's path and query parameters are checked
here, once for every route, so no endpoint has to remember them.
"""

from collections.abc import Iterable

from fastapi import Request

from newretail.kernel.errors import NulCharacter
from newretail.kernel.schemas import NUL, NUL_REFUSED


async def refuse_nul_in_url(request: Request) -> None:
    """Refuse a NUL character in any path or query parameter (``?q=%00``): 422 nul_character.

    A coroutine, though it awaits nothing: FastAPI runs a plain function dependency on a
    worker thread, and this one runs before every endpoint of the app."""
    params = [*request.path_params.items(), *request.query_params.multi_items()]
    refuse_nul_in_fields(params)


def refuse_nul_in_fields(fields: Iterable[tuple[str, object]]) -> None:
    """Refuse a NUL character in any named text field (query parameters, posted forms)."""
    for name, value in fields:
        if NUL in name or (isinstance(value, str) and NUL in value):
            shown = name.replace(NUL, "\\x00")
            raise NulCharacter(f"{shown}: {NUL_REFUSED}.")
