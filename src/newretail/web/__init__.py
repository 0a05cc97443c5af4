"""Server-rendered pages: console, cloud store, POS and the guide's workbench."""

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Attach the page routes and static assets to ``app``."""
    from newretail.web.router import router

    app.include_router(router)
