"""Serving the uploaded pictures from local storage, at ``settings.media_url``.

Only names the catalog made (a hash and a picture extension) are served, with the type
their extension says (the content was checked on upload) and for a year: a name never
changes its bytes.
"""

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response

from newretail.catalog import service as catalog_service
from newretail.web.pages import settings_of

HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def serve_picture(request: Request, name: str) -> Response:
    storage = catalog_service.storage_for(settings_of(request))
    path = storage.path(name)
    if path is None or not path.is_file():
        return PlainTextResponse("Not found.", status_code=404)
    return FileResponse(path, media_type=catalog_service.media_type_of(name), headers=HEADERS)


def mount(app: FastAPI, media_url: str) -> None:
    app.add_api_route(
        media_url.rstrip("/") + "/{name:path}",
        serve_picture,
        methods=["GET", "HEAD"],
        include_in_schema=False,
    )
