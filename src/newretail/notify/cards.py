"""The cards a guide sends: a product, a coupon to claim, a pre-sale; each links to the
guide's own store's cloud store with the guide's signed share ref, so that whatever the
member buys through it is attributed to the guide (a share conversion)."""

from sqlalchemy.orm import Session

from newretail.guides import service as guides_service
from newretail.kernel.scope import Scope
from newretail.notify import errors
from newretail.notify.conversations import Card
from newretail.org import rules as org_rules
from newretail.org import service as org_service
from newretail.presales import service as presales_service
from newretail.promotions import service as promotions_service

KINDS = ("product", "coupon", "presale")


def card(*, session: Session, scope: Scope, secret: str, kind: str, ref_id: int) -> Card:
    """The card of ``kind`` for the thing ``ref_id`` names, linked with the guide's ref."""
    store = guides_service.guide_store(session=session, scope=scope)
    if kind == "product":
        link = guides_service.share_link(
            session=session, scope=scope, secret=secret, store=store, product_id=ref_id
        )
        return Card("product", link.title, link.path, ref_id)
    if scope.actor_id is None:
        raise errors.MessageEmpty("Only a guide sends cards.")
    brand = org_service.get_brand(session=session, scope=scope, brand_id=store.brand_id)
    home = f"/s/{org_rules.cloud_store_code(brand.code, store.code)}"
    ref = guides_service.share_ref(secret=secret, guide_id=scope.actor_id)
    if kind == "coupon":
        template = promotions_service.get_template(session=session, scope=scope, template_id=ref_id)
        return Card("coupon", template.name, f"{home}?ref={ref}#coupons", ref_id)
    if kind == "presale":
        presale = presales_service.get_presale(session=session, scope=scope, presale_id=ref_id)
        return Card("presale", presale.name, f"{home}/presale/{presale.id}?ref={ref}", ref_id)
    raise errors.MessageEmpty(f"A card is one of: {', '.join(KINDS)}.")
