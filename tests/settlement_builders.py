"""Builders for settlement tests: ledger lines written straight through the model (as the
accrual writes them), schedules, and a second brand admin to approve statements."""

from datetime import date, datetime, timedelta
from itertools import count
from typing import Any

from newretail.auth.models import Staff
from newretail.commission import settlement
from newretail.commission.models import CommissionEntry
from newretail.commission.settlement_schemas import ScheduleUpdate
from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from tests import builders

_keys = count(1)
EARNED = datetime.fromisoformat("2026-11-02T04:00:00+00:00")


def detail(**fields: Any) -> dict[str, Any]:
    """The explanation the accrual writes, with the numbers of a 5% CPS line by default."""
    return {
        "order_number": "NR0001",
        "sku_code": "SKU-1",
        "title": "Silk scarf",
        "quantity": 1,
        "channel": "cloud_store",
        "base": 20000,
        "rate_bp": 500,
        "fixed": None,
        "cap": None,
        "share_bp": None,
        "plan_name": "Autumn plan",
        "rule_name": "All products",
        "member_id": None,
        "reason": "bound_guide",
    } | fields


def entry(
    database: Database,
    brand_id: int,
    *,
    amount: int,
    guide_id: int | None = None,
    store_id: int | None = None,
    release_at: datetime | None = EARNED,
    earned_at: datetime = EARNED,
    status: str = "pending",
    reverses_id: int | None = None,
    **details: Any,
) -> int:
    """One ledger line for a guide (``guide_id``) or else a store, as the accrual writes it."""
    kind = "guide" if guide_id is not None else "store"
    facts = detail(**details)
    with database.transaction() as session:
        row = CommissionEntry(
            brand_id=brand_id,
            key=f"test:{next(_keys)}",
            beneficiary_type=kind,
            guide_id=guide_id,
            store_id=store_id,
            kind="cps" if kind == "guide" else "store_selling",
            channel=facts["channel"],
            base=facts["base"],
            rate_bp=facts["rate_bp"],
            amount=amount,
            currency="CNY",
            detail=facts,
            reverses_id=reverses_id,
            status=status,
            release_at=release_at,
            earned_at=earned_at,
        )
        session.add(row)
        session.flush()
        return row.id


def schedule(
    database: Database,
    brand_id: int,
    *,
    starts_on: date,
    now: datetime,
    every_days: int | None = None,
    day_of_month: int | None = None,
    minimum_payout: int = 0,
) -> None:
    """Set the brand's schedule as of ``now`` (opening the periods begun by then)."""
    kind = "monthly" if day_of_month is not None else "every_n_days"
    data = ScheduleUpdate(
        brand_id=brand_id,
        kind=kind,
        day_of_month=day_of_month,
        every_days=every_days,
        starts_on=starts_on,
        minimum_payout=minimum_payout,
    )
    with database.transaction() as session:
        settlement.set_schedule(session=session, scope=SYSTEM, data=data, now=now)


def weekly_world(database: Database, *, minimum_payout: int = 0) -> builders.BrandWorld:
    """A brand settling every 7 days from 2026-11-01 (Shanghai), seen on 2026-11-20."""
    world = builders.brand_world(database)
    schedule(
        database,
        world.brand.id,
        starts_on=date(2026, 11, 1),
        every_days=7,
        minimum_payout=minimum_payout,
        now=EARNED + timedelta(days=18),
    )
    return world


def second_admin(database: Database, brand_id: int) -> Staff:
    with database.transaction() as session:
        admin = builders.staff(session, brand_id, [{"role": "brand_admin"}])
        session.refresh(admin)
        session.expunge_all()
    return admin
