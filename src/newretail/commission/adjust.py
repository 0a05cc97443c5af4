"""Pricing a line again on what it keeps: refunds, returns, a pay-later balance collected.

Each group of a line (its CPS guides, its share conversion, each store's share) is priced
again with the numbers its first entries recorded (rate, fixed amount, cap, shares), never
with today's plan, on the line's net collected amount now (``rules.repriced``). For each
beneficiary whose entries no longer add up to its new part:

- nothing of it settled yet (every live entry pending and on no statement): its live
  entries are cancelled and one new entry carries the new part (``…:adj:N``), frozen as
  the first one was; a line refunded in full leaves only cancelled entries;
- something of it settled: one entry of the difference (``…:adj:N``, negative for a
  refund) names the entry it corrects in ``reverses_id``, pending and released at once, so
  the next period settles it.

Either way the live entries of a line add up to the commission on what it kept, to the fen.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.commission import facts, rules
from newretail.commission.models import CommissionEntry, EntryStatus

SETTLED = frozenset({EntryStatus.SETTLED.value, EntryStatus.PAID.value})


def entries_of(session: Session, order_ids: Sequence[int]) -> dict[int, list[CommissionEntry]]:
    """The line entries of ``order_ids`` by order (CPA entries are not repriced)."""
    found: dict[int, list[CommissionEntry]] = defaultdict(list)
    if not order_ids:
        return found
    rows = session.scalars(
        select(CommissionEntry)
        .where(
            CommissionEntry.order_id.in_(order_ids),
            CommissionEntry.order_line_id.is_not(None),
        )
        .order_by(CommissionEntry.id)
        .execution_options(populate_existing=True)
    )
    for row in rows:
        if row.order_id is not None:
            found[row.order_id].append(row)
    return found


def original_key(key: str) -> str:
    return key.split(":adj:", 1)[0]


def is_live(entry: CommissionEntry) -> bool:
    return entry.status != EntryStatus.CANCELLED.value


def is_settled(entry: CommissionEntry) -> bool:
    return entry.statement_id is not None or entry.status in SETTLED


def reprice(
    session: Session, order: facts.OrderRow, entries: Sequence[CommissionEntry], now: datetime
) -> int:
    """Move each beneficiary's entries of ``order`` to its part on what its line keeps."""
    bases = facts.bases(order)
    lines = {line.id: line for line in order.lines}
    by_key: dict[str, list[CommissionEntry]] = defaultdict(list)
    for entry in entries:
        by_key[original_key(entry.key)].append(entry)
    groups: dict[tuple[int, str], list[CommissionEntry]] = defaultdict(list)
    for key, family in by_key.items():
        first = next((e for e in family if e.key == key), None)
        if first is not None and first.order_line_id is not None:
            groups[(first.order_line_id, first.kind)].append(first)
    written = 0
    for (line_id, _), firsts in sorted(groups.items()):
        firsts.sort(key=lambda e: e.key)
        line = lines.get(line_id)
        if line is None:
            continue
        parts = [_part(e) for e in firsts]
        targets = rules.repriced(parts, bases.get(line_id, 0))
        for first, target in zip(firsts, targets, strict=True):
            family = by_key[first.key]
            written += _move(session, first, family, target, line, bases[line_id], now)
    return written


def _part(entry: CommissionEntry) -> tuple[int | None, int | None, int | None, int | None]:
    d = entry.detail or {}
    return (entry.rate_bp, d.get("fixed"), d.get("cap"), d.get("share_bp"))


def _reason(line: facts.LineRow, grows: bool) -> str:
    if grows:
        return "collected"
    return "return" if line.refunded_quantity > 0 else "refund"


def _move(
    session: Session,
    first: CommissionEntry,
    family: list[CommissionEntry],
    target: int,
    line: facts.LineRow,
    base: int,
    now: datetime,
) -> int:
    live = [e for e in family if is_live(e)]
    current = sum(e.amount for e in live)
    if current == target:
        return 0
    reason = _reason(line, target > current)
    key = f"{first.key}:adj:{len(family)}"
    if not any(is_settled(e) for e in live):
        for e in live:
            e.status, e.cancelled_at = EntryStatus.CANCELLED.value, now
        if target == 0:
            return 0
        session.add(
            _copy(first, key, target, base, reason, first.release_at, None, first.earned_at)
        )
        return 1
    session.add(_copy(first, key, target - current, base, reason, now, first.id, now))
    return 1


def _copy(
    first: CommissionEntry,
    key: str,
    amount: int,
    base: int,
    reason: str,
    release_at: datetime | None,
    reverses_id: int | None,
    earned_at: datetime,
) -> CommissionEntry:
    return CommissionEntry(
        brand_id=first.brand_id,
        key=key,
        beneficiary_type=first.beneficiary_type,
        guide_id=first.guide_id,
        store_id=first.store_id,
        kind=first.kind,
        order_id=first.order_id,
        order_line_id=first.order_line_id,
        member_id=first.member_id,
        channel=first.channel,
        plan_id=first.plan_id,
        rule_id=first.rule_id,
        base=base,
        rate_bp=first.rate_bp,
        amount=amount,
        currency=first.currency,
        detail={**(first.detail or {}), "base": base, "reason": reason},
        reverses_id=reverses_id,
        status=EntryStatus.PENDING.value,
        release_at=release_at,
        earned_at=earned_at,
    )
