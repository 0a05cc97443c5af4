"""Ledger rows as accrual writes them: an accrual as a row, a batch of rows in one INSERT.

Rows are plain dictionaries written by one INSERT per batch (``kernel.bulk``; never a
mapped object per entry). ``insert_new`` skips a row whose ``key`` is taken (ON CONFLICT DO
NOTHING), so a row written twice, by a replayed event or by two consumers at once, is
written once and the second writer neither fails nor waits on an error; what it answers is
the number of rows actually written.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from newretail.commission import facts, rules
from newretail.commission.models import Beneficiary, CommissionEntry, EntryStatus
from newretail.kernel import bulk

TABLE = cast(Table, CommissionEntry.__table__)


def row(
    *,
    order: facts.OrderRow,
    line: facts.LineRow | None,
    sku_code: str,
    accrual: rules.Accrual,
    plan: rules.PlanSpec,
    key: str,
    earned_at: datetime,
    release_at: datetime | None,
    created_at: datetime,
) -> dict[str, Any]:
    """The ledger row of one accrual of ``order`` (of ``line``, or of the order for CPA)."""
    is_guide = accrual.beneficiary == Beneficiary.GUIDE
    return {
        "brand_id": order.brand_id,
        "key": key,
        "beneficiary_type": accrual.beneficiary,
        "guide_id": accrual.beneficiary_id if is_guide else None,
        "store_id": None if is_guide else accrual.beneficiary_id,
        "kind": accrual.kind,
        "order_id": order.id,
        "order_line_id": line.id if line else None,
        "member_id": order.member_id,
        "channel": order.channel,
        "plan_id": plan.id,
        "rule_id": accrual.rule.id,
        "base": accrual.base,
        "rate_bp": accrual.rate_bp,
        "amount": accrual.amount,
        "currency": order.currency,
        "detail": detail(order, line, sku_code, accrual, plan.name),
        "status": EntryStatus.PENDING.value,
        "release_at": release_at,
        "earned_at": earned_at,
        "created_at": created_at,
    }


def detail(
    order: facts.OrderRow | None,
    line: facts.LineRow | None,
    sku_code: str,
    accrual: rules.Accrual,
    plan_name: str,
    *,
    member_id: int | None = None,
) -> dict[str, Any]:
    """The numbers behind an entry, under the keys statements render."""
    return {
        "order_number": order.number if order else None,
        "sku_code": sku_code or None,
        "title": line.title if line else None,
        "quantity": line.quantity if line else None,
        "channel": order.channel if order else None,
        "base": accrual.base,
        "rate_bp": accrual.rate_bp,
        "fixed": accrual.fixed,
        "cap": accrual.cap,
        "share_bp": accrual.share_bp,
        "plan_name": plan_name,
        "rule_name": accrual.rule.name,
        "member_id": order.member_id if order else member_id,
        "reason": accrual.reason,
    }


def insert_new(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Write ``rows`` in one statement, skipping keys already taken; how many it wrote."""
    return bulk.insert_rows(session, TABLE, rows, skip_taken=TABLE.c.key)
