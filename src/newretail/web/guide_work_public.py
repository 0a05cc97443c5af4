"""A guide's share link of HQ content, ``/w/{content_id}?ref=...``, as the public sees it.

The page reads only; its script records the view and, on the call to action, the claim
(POSTs to the content API), then leads to the guide's store with the same ref, so what the
visitor buys there is credited to the guide. An altered ref is a 404.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from newretail.web.pages import PageRoute, PageSessionDep, PublicPage
from newretail.workbench import service as workbench_service

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Ref = Annotated[str | None, Query(max_length=40)]


@router.get("/w/{content_id}")
def shared_content(
    page: PublicPage, session: PageSessionDep, content_id: int, ref: Ref = None
) -> HTMLResponse:
    shown = workbench_service.shared(
        session=session, content_id=content_id, secret=page.settings.secret_key, ref=ref
    )
    return page.render(
        "workbench/guide_work_shared.html",
        item=shown.item,
        guide=shown.guide_name,
        shop_path=shown.shop_path,
        ref=ref,
        api_base=f"/api/v1/content/{content_id}",
    )
