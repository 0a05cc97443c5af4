"""The content centre: HQ publishes, guides share through their own signed links, and each
share's views, claims and sales are credited to its guide.

A share link is ``/w/{content_id}?ref=<ref>``, the guide's signed ref of the cloud store
(``guides`` rules): nobody can make a link for another guide. The public page records a
view (a POST from the page: reading never writes) and its call to action records a claim,
then leads to the cloud store with the same ref, so the order is the guide's
(``referring_guide_id``). A sale follows a share when the guide referred it within the
attribution window after a view of that share (for a product card: with its product).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.guides import rules as share_rules
from newretail.kernel import upserts, visibility
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import SYSTEM, Role, Scope
from newretail.org import rules as org_rules
from newretail.org import service as org_service
from newretail.workbench import errors, people, queries, rules
from newretail.workbench.models import ContentEvent, ContentItem, ContentShare
from newretail.workbench.schemas import ContentCreate

PUBLISHERS = (Role.BRAND_ADMIN,)
CONTENT = visibility.Ladder(brand=ContentItem.brand_id, brand_staff_see_all=True)
SHARES = visibility.Ladder(
    brand=ContentShare.brand_id,
    stores=(ContentShare.store_id,),
    guides=(ContentShare.guide_id,),
    guides_see_stores=False,
)
EVENT_KINDS = frozenset({"view", "claim"})


@dataclass(frozen=True)
class Link:
    content_id: int
    guide_id: int
    ref: str
    path: str


@dataclass(frozen=True)
class Shared:
    """A content item as a share link shows it: the item, its guide and where it leads."""

    item: ContentItem
    guide_id: int
    guide_name: str
    shop_path: str


@dataclass(frozen=True)
class ShareStats:
    content_id: int
    guide_id: int
    guide_name: str
    views: int
    claims: int
    orders: int
    sales: int


def publish(*, session: Session, scope: Scope, data: ContentCreate, now: datetime) -> ContentItem:
    scope.require(*PUBLISHERS)
    brand_id = scope.target_brand(data.brand_id)
    needs = {"poster": data.image_url, "video": data.video_url, "product": data.product_id}
    if data.kind in needs and not needs[data.kind]:
        raise errors.InvalidContent()
    if data.product_id is not None:
        product = catalog_service.get_product(
            session=session, scope=scope, product_id=data.product_id
        )
        if product.brand_id != brand_id:
            raise errors.InvalidContent()
    item = ContentItem(
        brand_id=brand_id,
        kind=data.kind,
        title=data.title,
        body=data.body,
        image_url=data.image_url,
        video_url=str(data.video_url) if data.video_url else None,
        product_id=data.product_id,
        created_by_id=scope.actor_id if scope.actor_type == "staff" else None,
        published_at=now,
    )
    session.add(item)
    session.flush()
    return item


def _visible(scope: Scope) -> Select[ContentItem]:
    return visibility.restrict(select(ContentItem), scope, CONTENT)


def get_content(*, session: Session, scope: Scope, content_id: int) -> ContentItem:
    item = session.scalar(_visible(scope).where(ContentItem.id == content_id))
    if item is None:
        raise errors.ContentNotFound()
    return item


def list_content(
    *, session: Session, scope: Scope, cursor: str | None, limit: int, brand_id: int | None = None
) -> tuple[list[ContentItem], str | None]:
    query = _visible(scope).where(ContentItem.status == "published")
    if brand_id is not None:
        query = query.where(ContentItem.brand_id == brand_id)
    return paginate(
        session=session,
        query=query,
        id_column=ContentItem.id,
        cursor=cursor,
        limit=limit,
        descending=True,
    )


def share(*, session: Session, scope: Scope, content_id: int, secret: str, now: datetime) -> Link:
    """The calling guide's own link to ``content_id`` (made on their first share)."""
    item = get_content(session=session, scope=scope, content_id=content_id)
    if Role.GUIDE not in scope.roles or scope.actor_id is None:
        raise errors.NotAGuide()
    found = session.scalar(
        select(ContentShare).where(
            ContentShare.content_id == item.id, ContentShare.guide_id == scope.actor_id
        )
    )
    if found is None:
        placed = people.placed(
            session=session, brand_id=item.brand_id, staff_ids=[scope.actor_id], role=Role.GUIDE
        )
        if not placed:
            raise errors.NotAGuide()
        found = ContentShare(
            brand_id=item.brand_id,
            content_id=item.id,
            guide_id=scope.actor_id,
            store_id=placed[0].store_id,
            created_at=now,
        )
        session.add(found)
        session.flush()
    ref = share_rules.make_share_ref(secret=secret, guide_id=scope.actor_id)
    return Link(item.id, scope.actor_id, ref, share_path(content_id=item.id, ref=ref))


def my_share(*, session: Session, scope: Scope, content_id: int, secret: str) -> Link | None:
    """The calling guide's link to ``content_id`` if they have shared it (reading only)."""
    item = get_content(session=session, scope=scope, content_id=content_id)
    if scope.actor_id is None:
        return None
    found = session.scalar(
        select(ContentShare).where(
            ContentShare.content_id == item.id, ContentShare.guide_id == scope.actor_id
        )
    )
    if found is None:
        return None
    ref = share_rules.make_share_ref(secret=secret, guide_id=scope.actor_id)
    return Link(item.id, scope.actor_id, ref, share_path(content_id=item.id, ref=ref))


def share_path(*, content_id: int, ref: str) -> str:
    return f"/w/{content_id}?ref={ref}"


def _share_of(session: Session, content_id: int, secret: str, ref: str | None) -> ContentShare:
    guide_id = share_rules.read_share_ref(secret=secret, ref=ref)
    found = (
        session.scalar(
            select(ContentShare).where(
                ContentShare.content_id == content_id, ContentShare.guide_id == guide_id
            )
        )
        if guide_id is not None
        else None
    )
    if found is None:
        raise errors.ShareNotFound()
    return found


def shared(*, session: Session, content_id: int, secret: str, ref: str | None) -> Shared:
    """What a share link shows the public; an altered ref or an unshared item is a 404."""
    found = _share_of(session, content_id, secret, ref)
    item = session.get(ContentItem, content_id)
    if item is None or item.status != "published":
        raise errors.ContentNotFound()
    store = org_service.get_store(session=session, scope=SYSTEM, store_id=found.store_id)
    brand = org_service.get_brand(session=session, scope=SYSTEM, brand_id=item.brand_id)
    code = org_rules.cloud_store_code(brand.code, store.code)
    shop_ref = share_rules.make_share_ref(secret=secret, guide_id=found.guide_id)
    if item.product_id is not None:
        path = share_rules.share_path(store_code=code, product_id=item.product_id, ref=shop_ref)
    else:
        path = f"/s/{code}?ref={shop_ref}"
    name = people.names(session=session, staff_ids=[found.guide_id]).get(found.guide_id, "")
    return Shared(item, found.guide_id, name, path)


def record_event(
    *,
    session: Session,
    content_id: int,
    secret: str,
    ref: str | None,
    visitor: str,
    kind: str,
    now: datetime,
) -> bool:
    """A view or claim of a share by ``visitor``; True when it is their first of that kind."""
    if kind not in EVENT_KINDS:
        raise errors.ShareNotFound()
    found = _share_of(session, content_id, secret, ref)
    values = {
        "brand_id": found.brand_id,
        "share_id": found.id,
        "kind": kind,
        "visitor": visitor,
        "at": now,
    }
    result = session.execute(
        upserts.insert(session, ContentEvent)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["share_id", "kind", "visitor"])
    )
    session.flush()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def share_stats(*, session: Session, scope: Scope, content_id: int) -> list[ShareStats]:
    """Each share of the item the caller sees, with its views, claims and sales."""
    item = get_content(session=session, scope=scope, content_id=content_id)
    shares = list(
        session.scalars(
            visibility.restrict(
                select(ContentShare).where(ContentShare.content_id == item.id), scope, SHARES
            ).order_by(ContentShare.id)
        )
    )
    names = people.names(session=session, staff_ids=[s.guide_id for s in shares])
    return [_stats(session, item, s, names.get(s.guide_id, "")) for s in shares]


def _stats(session: Session, item: ContentItem, found: ContentShare, name: str) -> ShareStats:
    counts: dict[str, int] = {
        kind: int(n)
        for kind, n in session.execute(
            select(ContentEvent.kind, func.count())
            .where(ContentEvent.share_id == found.id)
            .group_by(ContentEvent.kind)
        )
    }
    views = list(
        session.scalars(
            select(ContentEvent.at).where(
                ContentEvent.share_id == found.id, ContentEvent.kind == "view"
            )
        )
    )
    orders = [
        (order_id, net)
        for order_id, paid_at, net in queries.referred_orders(
            session=session,
            brand_id=item.brand_id,
            guide_id=found.guide_id,
            since=found.created_at,
            product_id=item.product_id,
        )
        if rules.within_window(views, paid_at)
    ]
    return ShareStats(
        content_id=item.id,
        guide_id=found.guide_id,
        guide_name=name,
        views=int(counts.get("view", 0)),
        claims=int(counts.get("claim", 0)),
        orders=len(orders),
        sales=sum(net for _, net in orders),
    )
