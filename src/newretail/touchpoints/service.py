"""The touchpoint codes' use cases, for routers, pages, the CLI and other domains.

    codes.py    creating codes (one, in bulk, a guide's badge), reading, changing; who sees
    scans.py    scanning, joining through a code, conversion counts
    images.py   QR images (PNG, SVG) of a code's public URL
    sheets.py   print sheets (PDF) of a store's codes

Pure rules (code values, targets, placements, sheet grids) live in ``rules.py``.
"""

from collections.abc import Callable

from sqlalchemy.orm import Session

from newretail.kernel.scope import Scope
from newretail.org import service as org_service
from newretail.touchpoints import images, rules, sheets
from newretail.touchpoints.codes import (
    Names,
    code_of_brand,
    code_query,
    create_code,
    create_codes,
    destination,
    find_guide_badge,
    find_live_code,
    get_code,
    guide_badge,
    guide_name,
    list_codes,
    names_of,
    system_scope,
    update_code,
)
from newretail.touchpoints.models import TouchpointCode
from newretail.touchpoints.scans import (
    CodeCounts,
    JoinResult,
    ScanResult,
    consumer_scans,
    counts,
    join,
    scan,
    stats,
)
from newretail.touchpoints.schemas import CodeJoinRead, CodeRead


def code_read(*, session: Session, row: TouchpointCode, base_url: str) -> CodeRead:
    names = names_of(session=session, row=row)
    return CodeRead(
        id=row.id,
        code=row.code,
        brand_id=row.brand_id,
        store_id=row.store_id,
        guide_id=row.guide_id,
        placement=row.placement,
        campaign=row.campaign,
        label=row.label,
        target=row.target,
        product_id=row.product_id,
        is_active=row.is_active,
        is_badge=row.badge_guide_id is not None,
        scan_url=rules.scan_url(base_url, row.code),
        target_path=rules.target_path(destination(row, names)),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def join_read(result: JoinResult) -> CodeJoinRead:
    return CodeJoinRead(
        code=result.code.code,
        member_id=result.member.id,
        member_no=result.member.member_no,
        member_created=result.member_created,
        action=result.action.value,
        reason=result.reason,
        store_id=result.store_id,
        guide_id=result.guide_id,
        guide_name=result.guide_name,
    )


def store_path(names: Names) -> str:
    """The code's store's cloud store page."""
    return rules.store_page_path(names.brand_code, names.store_code)


def scan_url(*, base_url: str, code: str) -> str:
    """The public URL a code's QR image holds."""
    return rules.scan_url(base_url, code)


def join_path(code: str) -> str:
    return rules.join_path(code)


def qr_png(*, session: Session, scope: Scope, code: str, base_url: str) -> bytes:
    row = get_code(session=session, scope=scope, code=code)
    return images.png(rules.scan_url(base_url, row.code))


def qr_svg(*, session: Session, scope: Scope, code: str, base_url: str) -> bytes:
    row = get_code(session=session, scope=scope, code=code)
    return images.svg(rules.scan_url(base_url, row.code))


def print_sheet(
    *,
    session: Session,
    scope: Scope,
    store_id: int,
    base_url: str,
    translate: Callable[[str], str],
) -> bytes:
    """The store's active codes that the caller may see, as an A4 PDF of QR labels."""
    store = org_service.get_store(session=session, scope=scope, store_id=store_id)
    brand = org_service.get_brand(session=session, scope=scope, brand_id=store.brand_id)
    rows = session.scalars(
        code_query(scope)
        .where(TouchpointCode.store_id == store.id, TouchpointCode.is_active.is_(True))
        .order_by(TouchpointCode.placement, TouchpointCode.id)
    )
    items = [
        sheets.SheetItem(
            code=row.code,
            url=rules.scan_url(base_url, row.code),
            placement=rules.PLACEMENT_LABELS[rules.Placement(row.placement)],
            person=guide_name(session, row) or row.label or store.name,
            campaign=row.campaign,
        )
        for row in rows
    ]
    title = f"{brand.name} · {store.name} ({store.code})"
    return sheets.render(title=title, items=items, translate=translate)


def brand_scope(brand_id: int) -> Scope:
    """The system acting inside one brand (the CLI, the simulator)."""
    return system_scope(brand_id)


def store_ids_by_code(*, session: Session, scope: Scope, store_code: str) -> list[int]:
    """Stores in the caller's scope with ``store_code`` (store codes are unique per brand)."""
    stores, _ = org_service.list_stores(
        session=session, scope=scope, cursor=None, limit=200, q=store_code
    )
    return [store.id for store in stores if store.code == store_code]


__all__ = [
    "CodeCounts",
    "JoinResult",
    "Names",
    "ScanResult",
    "TouchpointCode",
    "brand_scope",
    "code_of_brand",
    "code_query",
    "code_read",
    "consumer_scans",
    "counts",
    "create_code",
    "create_codes",
    "find_guide_badge",
    "find_live_code",
    "get_code",
    "guide_badge",
    "join",
    "join_path",
    "join_read",
    "list_codes",
    "names_of",
    "print_sheet",
    "qr_png",
    "qr_svg",
    "scan",
    "scan_url",
    "stats",
    "store_ids_by_code",
    "store_path",
    "update_code",
]
