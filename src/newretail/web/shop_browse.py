"""Finding things in the cloud store: every category at a glance, and a search by title.

    GET /s/{code}/categories   the categories tab
    GET /s/{code}/search?q=    this store's sellable products whose title contains ``q``

What is typed is matched as text (``%`` finds a percent sign, not everything). A ``q``
holding a NUL or longer than ``SEARCH_MAX`` characters is refused with a message, not run.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from newretail.cloudstore import service as cloudstore_service
from newretail.web import shop_shell, storefront
from newretail.web.cloudstore import Cursor, Ref, kept_ref, linker
from newretail.web.pages import PageRoute, PageSessionDep, PublicPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
SEARCH_MAX = 60
# Generous on purpose: a longer ``q`` is answered by the page's own message, not a bare 422.
Text = Annotated[str | None, Query(max_length=2000)]


@router.get("/s/{store_code}/categories")
def categories(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None
) -> HTMLResponse:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    return page.render(
        "cloudstore/categories.html",
        **shop_shell.tabs(page, session, store, "categories"),
        store=store,
        link=linker(store.code, ref),
        ref=ref,
        categories=[],
        groups=storefront.category_tree(session=session, store=store),
    )


def refused(text: str) -> bool:
    """Whether a search can not be run as typed (a NUL, or too long to be a product title)."""
    return "\x00" in text or len(text) > SEARCH_MAX


@router.get("/s/{store_code}/search")
def search(
    page: PublicPage,
    session: PageSessionDep,
    store_code: str,
    q: Text = None,
    ref: Ref = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    link = linker(store.code, ref)
    text = (q or "").strip()
    error = page.gettext("Search with at most %(num)d characters.", num=SEARCH_MAX)
    bad = refused(text)
    tiles, next_cursor = (
        ([], None)
        if bad or not text
        else storefront.search_page(session=session, store=store, text=text, cursor=cursor)
    )
    return page.render(
        "cloudstore/search.html",
        **shop_shell.tabs(page, session, store, "categories"),
        status_code=422 if bad else 200,
        store=store,
        link=link,
        ref=ref,
        categories=[],
        query="" if bad else text,
        error=error if bad else None,
        tiles=tiles,
        next_url=link("/search", q=text, cursor=next_cursor) if next_cursor else None,
    )
