"""Claiming coupons: the member's limit, the template's quantity and budget, under load;
and one coupon reserved by many orders at once.

On SQLite the claims queue on the write lock; on PostgreSQL they run in parallel and the
guarded UPDATEs decide. Each wave of threads is released together by a barrier.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from tests import promotion_builders as pb

from newretail.db import Database, utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import SYSTEM
from newretail.promotions import service as promotions_service
from newretail.promotions.models import CouponTemplate
from newretail.promotions.schemas import ClaimCreate

WORKERS = 16


def _claim(database: Database, member_id: int, template_id: int) -> str:
    try:
        pb.claim(database, member_id, template_id)
    except DomainError as refused:
        return refused.code
    return "claimed"


def _together(database: Database, pairs: list[tuple[int, int]]) -> Counter[str]:
    barrier = threading.Barrier(WORKERS)

    def attempt(pair: tuple[int, int]) -> str:
        barrier.wait(timeout=120)
        return _claim(database, *pair)

    with ThreadPoolExecutor(WORKERS) as pool:
        return Counter(pool.map(attempt, pairs))


def _issued(database: Database, template_id: int) -> tuple[int, int]:
    with database.transaction(read_only=True) as session:
        row = session.get(CouponTemplate, template_id)
        assert row is not None
        return row.issued, row.budget_used


def test_a_member_claims_up_to_their_limit(database: Database) -> None:
    shop = pb.shop(database)
    template_id = pb.template(database, shop, per_member_limit=2)
    member_id = pb.member(database, shop)
    outcomes = [_claim(database, member_id, template_id) for _ in range(3)]
    assert outcomes == ["claimed", "claimed", "member_limit_reached"]
    assert _issued(database, template_id) == (2, 2_000)


def test_claims_stop_at_the_quantity_and_at_the_budget(database: Database) -> None:
    shop = pb.shop(database)
    by_quantity = pb.template(database, shop, total_quantity=1)
    by_budget = pb.template(database, shop, budget=1_500)
    member_id = pb.member(database, shop)
    outcomes = [_claim(database, member_id, t) for t in (by_quantity, by_quantity, by_budget)]
    outcomes.append(_claim(database, member_id, by_budget))
    assert outcomes == ["claimed", "coupons_exhausted", "claimed", "budget_exhausted"]


def test_a_claim_outside_the_claim_window_is_refused(database: Database) -> None:
    shop = pb.shop(database)
    later = pb.template(database, shop, starts_at=(utcnow() + timedelta(days=1)).isoformat())
    member_id = pb.member(database, shop)
    assert _claim(database, member_id, later) == "claim_closed"


def test_a_coupon_valid_n_days_after_its_claim(database: Database) -> None:
    shop = pb.shop(database)
    template_id = pb.template(database, shop, valid_days=7)
    member_id = pb.member(database, shop)
    now = utcnow()
    with database.transaction() as session:
        data = ClaimCreate(template_id=template_id, member_id=member_id)
        coupon = promotions_service.claim(session=session, scope=SYSTEM, data=data, now=now)
        window = (coupon.valid_from, coupon.valid_until)
    assert window == (now, now + timedelta(days=7))


def test_many_members_claiming_the_last_coupons_get_exactly_what_is_left(
    database: Database,
) -> None:
    shop = pb.shop(database)
    template_id = pb.template(database, shop, total_quantity=5, budget=100_000)
    members = [pb.member(database, shop) for _ in range(WORKERS * 2)]
    outcomes = _together(database, [(m, template_id) for m in members])
    assert outcomes == {"claimed": 5, "coupons_exhausted": WORKERS * 2 - 5}
    assert _issued(database, template_id) == (5, 5_000)


def test_one_member_claiming_from_many_threads_never_passes_their_limit(
    database: Database,
) -> None:
    shop = pb.shop(database)
    template_id = pb.template(database, shop, per_member_limit=3, budget=3_500)
    member_id = pb.member(database, shop)
    outcomes = _together(database, [(member_id, template_id)] * WORKERS)
    with database.transaction(read_only=True) as session:
        wallet = promotions_service.list_wallet(session=session, scope=SYSTEM, member_id=member_id)
    assert outcomes == {"claimed": 3, "member_limit_reached": WORKERS - 3}
    assert len(wallet) == 3


def test_a_percent_coupon_under_a_budget_needs_a_maximum(database: Database) -> None:
    shop = pb.shop(database)
    with pytest.raises(DomainError) as refused:
        pb.template(database, shop, kind="percent", terms={"percent_off": 10}, budget=10_000)
    assert refused.value.code == "invalid_terms"


def test_two_orders_racing_for_one_coupon_reserve_it_once(database: Database) -> None:
    shop = pb.shop(database)
    member_id = pb.member(database, shop)
    coupon_id = pb.claim(database, member_id, pb.template(database, shop))
    priced = pb.priced(database, shop, member_id, [1, 0])
    barrier = threading.Barrier(WORKERS)

    def attempt(n: int) -> str:
        barrier.wait(timeout=120)
        try:
            with database.transaction() as session:
                promotions_service.reserve(
                    session=session,
                    priced=priced,
                    member_id=member_id,
                    keys=[f"coupon:{coupon_id}"],
                    reference=f"order-{n}",
                )
        except DomainError as refused:
            return refused.code
        return "reserved"

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = Counter(pool.map(attempt, range(WORKERS)))
    assert outcomes == {"reserved": 1, "coupon_unavailable": WORKERS - 1}
