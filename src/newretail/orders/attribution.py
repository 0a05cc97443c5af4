"""An order's attribution, checked the same way for every kind of order.

Every order (a checkout, a purchase, a cart checked out in the cloud store, a pre-sale's
deposit and balance) carries, written once when it is placed and never edited:

    bound_store_id, bound_guide_id   the buyer's binding at that moment (the sale's ``Buyer``);
                                     a later re-binding leaves the order as it was
    referring_guide_id               the guide whose share link or badge brought the sale
    touchpoint_code, campaign        the code scanned on the way, and the campaign

``credited`` checks what the caller names before anything is written:

    referring guide   an active guide of the order's brand         referring_guide_not_found
    touchpoint code   a code of the order's brand (active or        touchpoint_code_not_found
                      retired: a sale it started still counts)
    guide and code    a code naming a guide credits that guide; a   referring_guide_not_code_guide
                      referring guide naming another is refused
    campaign          a code's campaign is the order's; another      campaign_not_code_campaign
                      one named with the code is refused

A code naming a guide who has since left credits its store's code alone (no referring
guide), as joining through it binds to the store alone. ``lenient`` (attribution carried
over from an earlier order, e.g. a pre-sale's deposit to its balance) drops what no longer
holds instead of refusing the sale.

Statements: none without a code or guide; a referring guide costs the staff read it always
did; a code costs one read, plus the staff read of its guide when no guide was named.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.kernel.errors import NotFound
from newretail.kernel.scope import Role
from newretail.orders import access, errors
from newretail.orders.schemas import Attribution
from newretail.touchpoints import service as touchpoints_service

CAMPAIGN_MAX = 64  # the order's column; a code's campaign may be longer and is cut to fit


@dataclass(frozen=True, slots=True)
class Credit:
    """Who brought the sale, checked: what an order stores besides the buyer's binding."""

    referring_guide_id: int | None = None
    touchpoint_code: str | None = None
    campaign: str | None = None


NO_CREDIT = Credit()


def credited(
    *, session: Session, brand_id: int, attribution: Attribution, lenient: bool = False
) -> Credit:
    """The attribution of a sale of ``brand_id``, checked; refusals raise before any write."""
    code = _code(session, brand_id, attribution.touchpoint_code, lenient)
    guide_id, campaign = attribution.referring_guide_id, attribution.campaign
    if code is not None:
        if guide_id is not None and code.guide_id not in (None, guide_id):
            if not lenient:
                raise errors.ReferringGuideNotCodeGuide()
            guide_id = None
        code_campaign = code.campaign[:CAMPAIGN_MAX] or None
        if campaign is not None and code_campaign not in (None, campaign):
            if not lenient:
                raise errors.CampaignNotCodeCampaign()
            campaign = None
        campaign = campaign or code_campaign
    if guide_id is not None:
        guide_id = (
            active_guide(session=session, brand_id=brand_id, guide_id=guide_id)
            if lenient
            else referring_guide(session=session, brand_id=brand_id, guide_id=guide_id)
        )
    elif code is not None and code.guide_id is not None:
        guide_id = active_guide(session=session, brand_id=brand_id, guide_id=code.guide_id)
    return Credit(guide_id, code.code if code is not None else None, campaign)


def _code(
    session: Session, brand_id: int, code: str | None, lenient: bool
) -> touchpoints_service.TouchpointCode | None:
    if code is None:
        return None
    found = touchpoints_service.code_of_brand(session=session, brand_id=brand_id, code=code)
    if found is None and not lenient:
        raise errors.TouchpointCodeNotFound()
    return found


def active_guide(*, session: Session, brand_id: int, guide_id: int) -> int | None:
    """``guide_id`` if it is an active guide of the brand, else None."""
    try:
        return referring_guide(session=session, brand_id=brand_id, guide_id=guide_id)
    except errors.ReferringGuideNotFound:
        return None


def referring_guide(*, session: Session, brand_id: int, guide_id: int | None) -> int | None:
    """The guide a share link or badge names: an active guide of the brand, or refused."""
    if guide_id is None:
        return None
    try:
        staff = auth_service.get_staff(
            session=session, scope=access.system_for(brand_id), staff_id=guide_id
        )
    except NotFound as exc:
        raise errors.ReferringGuideNotFound() from exc
    if not staff.is_active or not any(a.role == Role.GUIDE for a in staff.roles):
        raise errors.ReferringGuideNotFound()
    return guide_id
