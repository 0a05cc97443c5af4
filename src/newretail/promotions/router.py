from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from newretail.kernel.http import (
    ApiRoute,
    Cursor,
    IdempotencyKey,
    Limit,
    ScopeDep,
    SessionDep,
    idempotent,
)
from newretail.kernel.schemas import Page
from newretail.promotions import service
from newretail.promotions.models import CouponStatus, Status
from newretail.promotions.packages.router import router as packages_router
from newretail.promotions.schemas import (
    AppliedRead,
    BestRequest,
    ClaimCreate,
    CombinationRead,
    CouponRead,
    ImportCreate,
    ImportRead,
    LeftOutRead,
    PromotionCreate,
    PromotionRead,
    PromotionUpdate,
    QuoteRead,
    StoreRedemption,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
)

router = APIRouter(route_class=ApiRoute)
promotions = APIRouter(prefix="/promotions", tags=["promotions"], route_class=ApiRoute)
coupons = APIRouter(prefix="/coupons", tags=["coupons"], route_class=ApiRoute)
OptionalId = Annotated[int | None, Query(ge=1, le=2**53)]


@promotions.post("", response_model=PromotionRead, status_code=status.HTTP_201_CREATED)
def create_promotion(data: PromotionCreate, session: SessionDep, scope: ScopeDep) -> PromotionRead:
    """An automatic offer (满减, 第N件, 买赠, 任选N件, tier prices): brand admins."""
    row = service.create_promotion(session=session, scope=scope, data=data)
    return PromotionRead.model_validate(row)


@promotions.get("", response_model=Page[PromotionRead])
def list_promotions(
    session: SessionDep,
    scope: ScopeDep,
    status: Status | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[PromotionRead]:
    rows, next_cursor = service.list_promotions(
        session=session, scope=scope, status=status, cursor=cursor, limit=limit
    )
    return Page(items=[PromotionRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@promotions.get("/{promotion_id}", response_model=PromotionRead)
def get_promotion(promotion_id: int, session: SessionDep, scope: ScopeDep) -> PromotionRead:
    row = service.get_promotion(session=session, scope=scope, promotion_id=promotion_id)
    return PromotionRead.model_validate(row)


@promotions.patch("/{promotion_id}", response_model=PromotionRead)
def update_promotion(
    promotion_id: int, data: PromotionUpdate, session: SessionDep, scope: ScopeDep
) -> PromotionRead:
    row = service.update_promotion(
        session=session, scope=scope, promotion_id=promotion_id, data=data
    )
    return PromotionRead.model_validate(row)


@promotions.delete("/{promotion_id}", response_model=PromotionRead)
def archive_promotion(promotion_id: int, session: SessionDep, scope: ScopeDep) -> PromotionRead:
    """Archived for good: it stops applying; orders that used it keep their record."""
    row = service.get_promotion(session=session, scope=scope, promotion_id=promotion_id)
    return PromotionRead.model_validate(service.archive(session=session, scope=scope, row=row))


@coupons.post("/templates", response_model=TemplateRead, status_code=status.HTTP_201_CREATED)
def create_template(data: TemplateCreate, session: SessionDep, scope: ScopeDep) -> TemplateRead:
    """A coupon members claim: fixed, percent with a maximum, or threshold (满减)."""
    row = service.create_template(session=session, scope=scope, data=data)
    return TemplateRead.model_validate(row)


@coupons.get("/templates", response_model=Page[TemplateRead])
def list_templates(
    session: SessionDep,
    scope: ScopeDep,
    status: Status | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[TemplateRead]:
    rows, next_cursor = service.list_templates(
        session=session, scope=scope, status=status, cursor=cursor, limit=limit
    )
    return Page(items=[TemplateRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@coupons.get("/templates/{template_id}", response_model=TemplateRead)
def get_template(template_id: int, session: SessionDep, scope: ScopeDep) -> TemplateRead:
    row = service.get_template(session=session, scope=scope, template_id=template_id)
    return TemplateRead.model_validate(row)


@coupons.patch("/templates/{template_id}", response_model=TemplateRead)
def update_template(
    template_id: int, data: TemplateUpdate, session: SessionDep, scope: ScopeDep
) -> TemplateRead:
    row = service.update_template(session=session, scope=scope, template_id=template_id, data=data)
    return TemplateRead.model_validate(row)


@coupons.delete("/templates/{template_id}", response_model=TemplateRead)
def archive_template(template_id: int, session: SessionDep, scope: ScopeDep) -> TemplateRead:
    """No more claims; coupons already in wallets stay valid until they expire."""
    row = service.get_template(session=session, scope=scope, template_id=template_id)
    return TemplateRead.model_validate(service.archive(session=session, scope=scope, row=row))


@coupons.post("/claim", response_model=CouponRead, status_code=status.HTTP_201_CREATED)
def claim(
    data: ClaimCreate, session: SessionDep, scope: ScopeDep, key: IdempotencyKey = None
) -> JSONResponse:
    """A consumer claims a coupon for themself; staff issue one to a member (member_id).

    409 coupons_exhausted, budget_exhausted, member_limit_reached, claim_closed, member_required.
    """

    def work() -> tuple[int, CouponRead]:
        coupon = service.claim(session=session, scope=scope, data=data)
        return 201, CouponRead.model_validate(coupon)

    return idempotent(
        session=session,
        scope=scope,
        key=key,
        operation="POST /coupons/claim",
        payload=data.model_dump(mode="json"),
        work=work,
    )


@coupons.post("/templates/{template_id}/import", response_model=ImportRead)
def import_coupons(
    template_id: int, data: ImportCreate, session: SessionDep, scope: ScopeDep
) -> ImportRead:
    """Coupons from the brand's own system, one per entry (member id or phone): all or none.

    An entry whose ``external_ref`` was imported before is returned under ``already``, not
    issued again. 409 import_refused lists every entry's problem (unknown_member,
    member_limit_reached, coupons_exhausted, budget_exhausted, duplicate_ref).
    """
    done = service.import_coupons(session=session, scope=scope, template_id=template_id, data=data)
    return ImportRead(issued=[c.id for c in done.issued], already=[c.id for c in done.already])


@coupons.post("/{coupon_id}/redeem-at-store", response_model=CouponRead)
def redeem_at_store(
    coupon_id: int, data: StoreRedemption, session: SessionDep, scope: ScopeDep
) -> CouponRead:
    """Store staff use a member's service or free-trial voucher, once.

    409 coupon_unavailable (used already), coupon_expired, coupon_not_applicable.
    """
    coupon = service.redeem_at_store(
        session=session, scope=scope, coupon_id=coupon_id, store_id=data.store_id
    )
    return CouponRead.model_validate(coupon)


@coupons.get("", response_model=list[CouponRead])
def wallet(
    session: SessionDep,
    scope: ScopeDep,
    member_id: OptionalId = None,
    brand_id: OptionalId = None,
    status: CouponStatus | None = None,
) -> list[CouponRead]:
    """A consumer's own wallet, or (staff) a member's; soonest to expire first."""
    rows = service.list_wallet(
        session=session, scope=scope, member_id=member_id, brand_id=brand_id, status=status
    )
    return [CouponRead.model_validate(r) for r in rows]


@coupons.post("/best", response_model=QuoteRead)
def best(data: BestRequest, session: SessionDep, scope: ScopeDep) -> QuoteRead:
    """The combination of automatic promotions and wallet coupons that leaves the least to
    pay, the next two, and why every other offer was left out. Reads only."""
    quote = service.best_for(session=session, scope=scope, data=data)

    def combination(c: service.Combination) -> CombinationRead:
        return CombinationRead(
            applied=[
                AppliedRead(key=a.key, saving=a.saving, lines=list(a.lines)) for a in c.applied
            ],
            saving=c.saving,
            payable=c.payable,
            line_payable=list(c.line_payable),
            points=c.points,
            points_off=c.points_off,
            deposit_credit=c.credit,
            after=[AppliedRead(key=a.key, saving=a.saving, lines=list(a.lines)) for a in c.tail],
        )

    return QuoteRead(
        subtotal=quote.subtotal,
        best=combination(quote.best),
        alternatives=[combination(c) for c in quote.alternatives],
        left_out=[LeftOutRead(key=o.key, reason=o.reason, other=o.other) for o in quote.left_out],
    )


router.include_router(promotions)
router.include_router(coupons)
router.include_router(packages_router)
