"""Coupons imported from a brand's own system, and every coupon's claim channel.

An import issues one coupon per new entry or nothing at all; a retried import issues
nothing twice; the redemption report counts coupons per claim channel.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from tests import member_builders
from tests import promotion_builders as pb

from newretail.auth import service as auth_service
from newretail.db import Database
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import SYSTEM, Scope
from newretail.members.access import phones_of
from newretail.promotions import service as promotions_service
from newretail.promotions.models import Coupon, CouponTemplate
from newretail.promotions.schemas import ClaimCreate, ImportCreate

pytestmark = pytest.mark.postgres


def _import(database: Database, template_id: int, entries: list[dict[str, object]]) -> object:
    data = ImportCreate.model_validate({"entries": entries})
    with database.transaction() as session:
        done = promotions_service.import_coupons(
            session=session, scope=SYSTEM, template_id=template_id, data=data
        )
        return [c.id for c in done.issued], [c.id for c in done.already]


def _refusal(database: Database, template_id: int, entries: list[dict[str, object]]) -> str:
    with pytest.raises(DomainError) as refused:
        _import(database, template_id, entries)
    assert refused.value.code == "import_refused"
    return refused.value.detail


def _coupons(database: Database, template_id: int) -> list[tuple[int, str, str | None]]:
    with database.transaction(read_only=True) as session:
        rows = session.query(Coupon).filter(Coupon.template_id == template_id).order_by(Coupon.id)
        return [(c.membership_id, c.channel, c.external_ref) for c in rows]


def _issued(database: Database, template_id: int) -> tuple[int, int]:
    with database.transaction(read_only=True) as session:
        row = session.get(CouponTemplate, template_id)
        assert row is not None
        return row.issued, row.budget_used


def _scope(database: Database, staff_id: int) -> Scope:
    with database.transaction(read_only=True) as session:
        staff = auth_service.get_staff(session=session, scope=SYSTEM, staff_id=staff_id)
        return auth_service.scope_for_staff(session=session, staff=staff)


def _phone(database: Database, member_id: int) -> str:
    """The member's phone as the brand's system keeps it: national digits, spaced."""
    consumer_id = member_builders.consumer_of(database, member_id)
    with database.transaction(read_only=True) as session:
        e164 = phones_of(session=session, consumer_ids=[consumer_id])[consumer_id]
    digits = e164.removeprefix("+86")
    return f"{digits[:3]} {digits[3:7]} {digits[7:]}"


def test_an_import_issues_one_coupon_per_entry_by_member_id_or_phone(database: Database) -> None:
    shop = pb.shop(database)
    template_id = pb.template(database, shop)
    by_id = pb.member(database, shop)
    by_phone = pb.member(database, shop)
    issued, already = _import(
        database,
        template_id,
        [
            {"external_ref": "crm-1", "member_id": by_id},
            {"external_ref": "crm-2", "phone": _phone(database, by_phone)},
        ],
    )
    assert (len(issued), already) == (2, [])
    assert _coupons(database, template_id) == [
        (by_id, "import", "crm-1"),
        (by_phone, "import", "crm-2"),
    ]
    assert _issued(database, template_id) == (2, 2_000)


def test_importing_the_same_references_again_issues_nothing_twice(database: Database) -> None:
    shop = pb.shop(database)
    template_id = pb.template(database, shop)
    member_id = pb.member(database, shop)
    first, _ = _import(database, template_id, [{"external_ref": "crm-1", "member_id": member_id}])
    issued, already = _import(
        database,
        template_id,
        [
            {"external_ref": "crm-1", "member_id": member_id},
            {"external_ref": "crm-2", "member_id": member_id},
        ],
    )
    assert (len(issued), already) == (1, first)
    assert _issued(database, template_id) == (2, 2_000)


def test_an_unknown_member_refuses_the_whole_import(database: Database) -> None:
    shop = pb.shop(database)
    template_id = pb.template(database, shop)
    member_id = pb.member(database, shop)
    other_brand_member = pb.member(database, pb.shop(database))
    detail = _refusal(
        database,
        template_id,
        [
            {"external_ref": "crm-1", "member_id": member_id},
            {"external_ref": "crm-2", "member_id": other_brand_member},
            {"external_ref": "crm-3", "phone": "13900009999"},
        ],
    )
    assert ("crm-2: unknown_member" in detail, "crm-3: unknown_member" in detail) == (True, True)
    assert "crm-1" not in detail
    assert _coupons(database, template_id) == []
    assert _issued(database, template_id) == (0, 0)


def test_an_import_over_the_member_limit_quantity_or_budget_is_refused_whole(
    database: Database,
) -> None:
    shop = pb.shop(database)
    limited = pb.template(database, shop, per_member_limit=1)
    scarce = pb.template(database, shop, total_quantity=2)
    poor = pb.template(database, shop, budget=1_500)
    member_id, other = pb.member(database, shop), pb.member(database, shop)
    twice = [
        {"external_ref": "a", "member_id": member_id},
        {"external_ref": "b", "member_id": member_id},
    ]
    three = [*twice, {"external_ref": "c", "member_id": other}]
    assert "b: member_limit_reached" in _refusal(database, limited, twice)
    assert "coupons_exhausted (3 asked, 2 left)" in _refusal(database, scarce, three)
    assert "budget_exhausted" in _refusal(database, poor, twice)
    assert [_issued(database, t) for t in (limited, scarce, poor)] == [(0, 0)] * 3


def test_an_import_counts_the_coupons_members_already_claimed(database: Database) -> None:
    shop = pb.shop(database)
    template_id = pb.template(database, shop, per_member_limit=1)
    member_id = pb.member(database, shop)
    pb.claim(database, member_id, template_id)
    detail = _refusal(database, template_id, [{"external_ref": "a", "member_id": member_id}])
    assert "a: member_limit_reached" in detail


def test_another_brands_template_is_not_found(database: Database) -> None:
    shop, other = pb.shop(database), pb.shop(database)
    template_id = pb.template(database, other)
    staff = _scope(database, shop.world.admin.id)
    data = ImportCreate.model_validate({"entries": [{"external_ref": "a", "member_id": 1}]})
    with database.transaction() as session, pytest.raises(DomainError) as refused:
        promotions_service.import_coupons(
            session=session, scope=staff, template_id=template_id, data=data
        )
    assert refused.value.status == 404


def test_each_claim_path_records_its_channel_and_the_report_counts_them(
    database: Database,
) -> None:
    shop = pb.shop(database)
    template_id = pb.template(database, shop)
    member_id = pb.member(database, shop)
    consumer = pb.consumer_scope(member_builders.consumer_of(database, member_id))
    with database.transaction() as session:
        for scope, channel in [(SYSTEM, None), (SYSTEM, "pos"), (consumer, None)]:
            data = ClaimCreate.model_validate(
                {"template_id": template_id, "member_id": None if scope is consumer else member_id}
                | ({"channel": channel} if channel else {})
            )
            promotions_service.claim(session=session, scope=scope, data=data)
    _import(database, template_id, [{"external_ref": "crm-1", "member_id": member_id}])
    with database.transaction(read_only=True) as session:
        report = promotions_service.redemption_report(
            session=session, scope=SYSTEM, brand_id=shop.world.brand.id
        )
    assert Counter(channel for _, channel, _ in _coupons(database, template_id)) == {
        "guide_push": 1,
        "pos": 1,
        "cloud_store": 1,
        "import": 1,
    }
    assert [(c.channel, c.claimed, c.redeemed) for c in report.channels] == [
        ("cloud_store", 1, 0),
        ("guide_push", 1, 0),
        ("import", 1, 0),
        ("pos", 1, 0),
    ]


def test_a_consumer_cannot_claim_as_if_imported(database: Database) -> None:
    shop = pb.shop(database)
    template_id = pb.template(database, shop)
    member_id = pb.member(database, shop)
    consumer = pb.consumer_scope(member_builders.consumer_of(database, member_id))
    data = ClaimCreate.model_validate({"template_id": template_id, "channel": "import"})
    with database.transaction() as session, pytest.raises(DomainError) as refused:
        promotions_service.claim(session=session, scope=consumer, data=data)
    assert refused.value.code == "channel_not_allowed"


def test_an_import_racing_claims_for_the_last_coupons_never_over_issues(
    database: Database,
) -> None:
    shop = pb.shop(database)
    template_id = pb.template(database, shop, total_quantity=6)
    claimants = [pb.member(database, shop) for _ in range(7)]
    imported = [pb.member(database, shop) for _ in range(3)]
    entries: list[dict[str, object]] = [
        {"external_ref": f"crm-{m}", "member_id": m} for m in imported
    ]
    barrier = threading.Barrier(8)

    def attempt(member_id: int | None) -> str:
        barrier.wait(timeout=60)
        try:
            if member_id is None:
                _import(database, template_id, entries)
                return "imported"
            pb.claim(database, member_id, template_id)
        except DomainError as refused:
            return refused.code
        return "claimed"

    with ThreadPoolExecutor(8) as pool:
        outcomes = Counter(pool.map(attempt, [None, *claimants]))
    coupons = _coupons(database, template_id)
    issued, _ = _issued(database, template_id)
    assert issued == len(coupons) <= 6
    assert outcomes["claimed"] + 3 * outcomes["imported"] == len(coupons)
    assert sum(1 for _, channel, _ in coupons if channel == "import") in (0, 3)
