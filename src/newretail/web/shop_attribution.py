"""How a shopper came to the cloud store, kept in the browser until they order.

    a guide's share link   a cloud store page opened with a valid signed ``?ref=``: the
                           guide, and the order's channel ``guide_share``
    a scanned code         ``/c/{code}``: the code (the order takes its guide and campaign
                           from it at checkout), the channel stays ``cloud_store``

One signed cookie per brand (``nr_arrival_{brand_id}``, 7 days) holds the latest arrival:
the last touch wins. A ``?ref=`` on the checkout's own URL counts as the latest arrival.

At checkout the arrival is checked like any order's attribution (``orders`` attribution).
What came from a cookie may have gone stale since (a guide has left, a code was deleted):
the page does not refuse the buyer for it. It drops the attribution, places the order
without it in ``cloud_store``, says so on the next page, and forgets the cookie. Over the
API the same refusal is a 422 with its code, since there the caller named it.
"""

import re
from dataclasses import dataclass

from fastapi.responses import Response
from sqlalchemy.orm import Session

from newretail.catalog.rules import Channel
from newretail.guides.rules import read_share_ref
from newretail.orders import errors as order_errors
from newretail.orders import service as orders_service
from newretail.orders.schemas import Attribution
from newretail.web import security
from newretail.web.pages import Page

ARRIVAL_SECONDS = 7 * 24 * 3600
PURPOSE = "arrival"
CODE_MAX = 16
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$")


@dataclass(frozen=True, slots=True)
class Arrival:
    guide_id: int | None = None
    code: str | None = None

    @property
    def channel(self) -> str:
        shared = self.guide_id is not None and self.code is None
        return Channel.GUIDE_SHARE.value if shared else Channel.CLOUD_STORE.value

    @property
    def attribution(self) -> Attribution:
        return Attribution(referring_guide_id=self.guide_id, touchpoint_code=self.code)


NONE = Arrival()


def cookie_name(brand_id: int) -> str:
    return f"nr_arrival_{brand_id}"


def _remember(page: Page, response: Response, brand_id: int, arrival: Arrival) -> None:
    value = security.sign(
        page.settings.secret_key, PURPOSE, {"guide_id": arrival.guide_id, "code": arrival.code}
    )
    page.set_cookie(response, cookie_name(brand_id), value, ARRIVAL_SECONDS)


def shared_guide(page: Page, ref: str | None) -> int | None:
    return read_share_ref(secret=page.settings.secret_key, ref=ref)


def remember_share(page: Page, response: Response, brand_id: int, ref: str | None) -> None:
    """A page opened through a guide's valid share link: that guide is the latest arrival."""
    guide_id = shared_guide(page, ref)
    if guide_id is not None:
        _remember(page, response, brand_id, Arrival(guide_id=guide_id))


def remember_scan(page: Page, response: Response, brand_id: int, code: str) -> None:
    """A code scanned: the code is the latest arrival."""
    if _CODE.match(code):
        _remember(page, response, brand_id, Arrival(code=code))


def arrival(page: Page, brand_id: int, ref: str | None) -> Arrival:
    """The latest arrival: ``ref`` on this request, else the brand's cookie, else none."""
    guide_id = shared_guide(page, ref)
    if guide_id is not None:
        return Arrival(guide_id=guide_id)
    data = security.unsign(
        page.settings.secret_key, PURPOSE, page.request.cookies.get(cookie_name(brand_id))
    )
    if data is None:
        return NONE
    guide, code = data.get("guide_id"), data.get("code")
    return Arrival(
        guide_id=guide if isinstance(guide, int) and guide > 0 else None,
        code=code if isinstance(code, str) and _CODE.match(code) else None,
    )


def checked(session: Session, brand_id: int, found: Arrival) -> tuple[Arrival, bool]:
    """The arrival if it still holds; else none, and True (dropped: tell the buyer)."""
    if found == NONE:
        return found, False
    try:
        orders_service.check_attribution(
            session=session, brand_id=brand_id, attribution=found.attribution
        )
    except order_errors.AttributionRefused:
        return NONE, True
    return found, False


def forget(response: Response, brand_id: int) -> None:
    response.delete_cookie(cookie_name(brand_id), path="/")
