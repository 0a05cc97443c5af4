"""Finding things in the cloud store: every category at a glance (the categories tab)."""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from newretail.cloudstore import service as cloudstore_service
from newretail.web import shop_shell, storefront
from newretail.web.cloudstore import Ref, kept_ref, linker
from newretail.web.pages import PageRoute, PageSessionDep, PublicPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)


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
