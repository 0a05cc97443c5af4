"""Inbound stock from the brand's ERP: absolute on_hand levels with a sequence per level.

A message applies only if its ``seq`` is greater than the last one applied to that
(location, SKU); the claim of the sequence is the guarded UPDATE itself, so a late or
repeated message, even one racing a newer one in another request, never rolls stock back.
Skipped messages are reported per item (``stale`` or ``duplicate``) and are not an error
for the batch. A batch naming a location or SKU the caller does not have is refused whole
(404 ``store_not_found`` / ``sku_not_found``, naming the first bad item), so nothing is
half-applied. An ERP level below what is reserved is applied (see ``rules``) and reported
on its item as ``below_reserved``.
"""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.inventory import access, errors, rules, stock
from newretail.inventory.models import StockLevel
from newretail.inventory.rules import MovementKind, SequenceVerdict
from newretail.inventory.schemas import SyncItem, SyncResult, SyncRowResult
from newretail.kernel.scope import Scope
from newretail.org.errors import StoreNotFound


def sync_levels(*, session: Session, scope: Scope, items: Sequence[SyncItem]) -> SyncResult:
    """Apply a batch of ERP levels in (location, SKU, seq) order; one result per item."""
    scope.require(*access.SYNCERS)
    brands = access.visible_locations(
        session=session, scope=scope, location_ids=[item.location_id for item in items]
    )
    _check_items(items, brands, _known_skus(session, brands, items))
    order = sorted(
        range(len(items)), key=lambda i: (items[i].location_id, items[i].sku_id, items[i].seq)
    )
    keys = [(items[i].location_id, items[i].sku_id) for i in order]
    for brand_id in sorted(set(brands.values())):
        brand_keys = [key for key in keys if brands[key[0]] == brand_id]
        stock.ensure_levels(session, brand_id=brand_id, keys=brand_keys)
    results = {index: _apply(session, scope, index, items[index]) for index in order}
    ordered = [results[index] for index in range(len(items))]
    return SyncResult(
        applied=sum(row.status == "applied" for row in ordered),
        skipped=sum(row.status != "applied" for row in ordered),
        results=ordered,
    )


def _check_items(
    items: Sequence[SyncItem], brands: dict[int, int], known: set[tuple[int, int]]
) -> None:
    """Refuse the whole batch, naming its first bad item, if any names an unknown store or SKU."""
    bad = [
        index
        for index, item in enumerate(items)
        if (brands.get(item.location_id), item.sku_id) not in known
    ]
    if not bad:
        return
    first = items[bad[0]]
    more = f"; {len(bad) - 1} more items refused" if len(bad) > 1 else ""
    if first.location_id not in brands:
        raise StoreNotFound(f"items[{bad[0]}]: store {first.location_id} not found{more}.")
    raise errors.UnknownSku(f"items[{bad[0]}]: SKU {first.sku_id} not found{more}.")


def _known_skus(
    session: Session, stores: dict[int, int], items: Sequence[SyncItem]
) -> set[tuple[int, int]]:
    """(brand_id, sku_id) for every SKU of the batch that its location's brand has."""
    wanted: dict[int, set[int]] = {}
    for item in items:
        if item.location_id in stores:
            wanted.setdefault(stores[item.location_id], set()).add(item.sku_id)
    return {
        (brand_id, sku_id)
        for brand_id, sku_ids in wanted.items()
        for sku_id in access.known_skus(session=session, brand_id=brand_id, sku_ids=sku_ids)
    }


def _apply(session: Session, scope: Scope, index: int, item: SyncItem) -> SyncRowResult:
    key = (item.location_id, item.sku_id)
    claimed = stock.claim_erp_sequence(session, key=key, seq=item.seq)
    if claimed is None:
        return _skipped(session, index, item)
    level = rules.absolute_level(
        on_hand=claimed.on_hand, reserved=claimed.reserved, level=item.on_hand
    )
    row = stock.set_on_hand(session, level=claimed, on_hand=level.on_hand)
    stock.record(
        session,
        scope=scope,
        level=row,
        kind=MovementKind.ERP_SYNC,
        quantity=level.delta,
        reference=("erp", str(item.seq)),
    )
    below = level.shortfall > 0
    return SyncRowResult(
        index=index,
        location_id=item.location_id,
        sku_id=item.sku_id,
        status="applied",
        code=rules.BELOW_RESERVED if below else None,
        detail=rules.below_reserved_detail(row.on_hand, row.reserved, row.shortfall, "in the ERP")
        if below
        else "",
        on_hand=row.on_hand,
        delta=level.delta,
        shortfall=row.shortfall,
    )


def _skipped(session: Session, index: int, item: SyncItem) -> SyncRowResult:
    current = session.execute(
        select(StockLevel.erp_seq, StockLevel.on_hand).where(
            StockLevel.location_id == item.location_id, StockLevel.sku_id == item.sku_id
        )
    ).one()
    verdict = rules.sequence_verdict(current.erp_seq, item.seq)
    status = "duplicate" if verdict is SequenceVerdict.DUPLICATE else "stale"
    return SyncRowResult(
        index=index,
        location_id=item.location_id,
        sku_id=item.sku_id,
        status=status,
        code=f"{status}_sequence",
        detail=f"seq {item.seq} is not newer than {current.erp_seq}, the last one applied.",
        on_hand=current.on_hand,
    )
