"""Accrual follows orders through the outbox: who is credited, when it unfreezes, what a
refund or return does before and after settlement, caps, own purchases and stores' shares."""

from datetime import timedelta

from sqlalchemy import select
from tests import commission_builders as cb
from tests import member_builders, order_builders, return_builders
from tests.commission_builders import PAID_AT

from newretail.commission.models import CommissionEntry
from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.members import service as members_service
from newretail.members.schemas import RebindRequest
from newretail.touchpoints.models import TouchpointCode

CPS_10 = {"kind": "cps", "rate_bp": 1000}


def _by_reason(found: list[CommissionEntry]) -> dict[str, list[int]]:
    reasons: dict[str, list[int]] = {}
    for e in cb.live(found):
        reasons.setdefault(e.detail["reason"], []).append(e.amount)
    return reasons


def test_the_bound_guide_earns_the_rate_of_each_line(database: Database) -> None:
    s = cb.setup(database)
    cb.plan(database, s, [CPS_10], policy="bound")
    order_id = cb.order(
        database, s, [(s.skus[0], 2, 10_000, 1_000), (s.skus[1], 1, 5_005, 0)],
        bound_guide_id=s.guide_id, referring_guide_id=s.referrer_id,
    )  # fmt: skip
    cb.dispatch(database)
    found = cb.entries(database, order_id)
    assert [e.amount for e in found] == [1_900, 501]
    assert {e.guide_id for e in found} == {s.guide_id}
    assert {e.detail["reason"] for e in found} == {"bound_guide"}
    assert (found[0].detail["base"], found[0].detail["rate_bp"]) == (19_000, 1000)
    assert found[0].detail["order_number"].startswith("T")
    assert found[0].detail["share_bp"] is None


def test_the_referring_guide_earns_under_the_referring_policy(database: Database) -> None:
    s = cb.setup(database)
    cb.plan(database, s, [CPS_10], policy="referring")
    order_id = cb.order(
        database, s, [(s.skus[0], 1, 10_000, 0)],
        bound_guide_id=s.guide_id, referring_guide_id=s.referrer_id,
    )  # fmt: skip
    cb.dispatch(database)
    found = cb.entries(database, order_id)
    assert [(e.guide_id, e.amount, e.detail["reason"]) for e in found] == [
        (s.referrer_id, 1_000, "referring_guide")
    ]


def test_a_split_divides_the_line_commission_exactly_by_its_shares(database: Database) -> None:
    s = cb.setup(database)
    cb.plan(database, s, [CPS_10], policy="split", bound_share_bp=6000, referring_share_bp=4000)
    order_id = cb.order(
        database, s, [(s.skus[0], 1, 10_010, 0)],
        bound_guide_id=s.guide_id, referring_guide_id=s.referrer_id,
    )  # fmt: skip
    cb.dispatch(database)
    found = cb.entries(database, order_id)
    assert [(e.guide_id, e.amount, e.detail["share_bp"]) for e in found] == [
        (s.guide_id, 601, 6000),
        (s.referrer_id, 400, 4000),
    ]
    assert {e.detail["reason"] for e in found} == {"split"}


def test_entries_unfreeze_n_days_after_payment(database: Database) -> None:
    s = cb.setup(database)
    cb.plan(database, s, [CPS_10 | {"freeze_days": 14}])
    order_id = cb.order(database, s, [(s.skus[0], 1, 10_000, 0)], bound_guide_id=s.guide_id)
    cb.dispatch(database)
    assert [e.release_at for e in cb.entries(database, order_id)] == [PAID_AT + timedelta(days=14)]


def test_entries_frozen_until_fulfilled_unfreeze_when_the_order_is(database: Database) -> None:
    s = cb.setup(database)
    cb.plan(database, s, [CPS_10 | {"until_fulfilled": True}])
    order_id = cb.order(database, s, [(s.skus[0], 1, 10_000, 0)], bound_guide_id=s.guide_id)
    cb.dispatch(database)
    frozen = [e.release_at for e in cb.entries(database, order_id)]
    cb.fulfil(database, order_id, PAID_AT + timedelta(days=5))
    cb.dispatch(database)
    assert frozen == [None]
    assert [e.release_at for e in cb.entries(database, order_id)] == [PAID_AT + timedelta(days=5)]


def test_a_partial_refund_before_settlement_cancels_and_accrues_on_what_is_kept(
    database: Database,
) -> None:
    s = cb.setup(database)
    cb.plan(database, s, [CPS_10])
    order_id = cb.order(database, s, [(s.skus[0], 2, 10_000, 0)], bound_guide_id=s.guide_id)
    cb.dispatch(database)
    line = cb.line_ids(database, order_id)[0]
    cb.refund(database, order_id, line, 10_000, quantity=1)
    cb.dispatch(database)
    found = cb.entries(database, order_id)
    assert [(e.amount, e.status) for e in found] == [(2_000, "cancelled"), (1_000, "pending")]
    assert found[1].key == found[0].key + ":adj:1"
    assert (found[1].detail["reason"], found[1].detail["base"]) == ("return", 10_000)
    assert found[1].release_at == found[0].release_at


def test_a_full_refund_before_settlement_leaves_nothing_owed(database: Database) -> None:
    s = cb.setup(database)
    cb.plan(database, s, [CPS_10])
    order_id = cb.order(database, s, [(s.skus[0], 1, 10_000, 0)], bound_guide_id=s.guide_id)
    cb.dispatch(database)
    cb.refund(database, order_id, cb.line_ids(database, order_id)[0], 10_000)
    cb.dispatch(database)
    assert [e.status for e in cb.entries(database, order_id)] == ["cancelled"]


def test_a_refund_after_settlement_posts_a_negative_entry_released_at_once(
    database: Database,
) -> None:
    s = cb.setup(database)
    cb.plan(database, s, [CPS_10])
    order_id = cb.order(database, s, [(s.skus[0], 1, 10_000, 0)], bound_guide_id=s.guide_id)
    cb.dispatch(database)
    cb.settle(database, s, order_id)
    before = utcnow()
    cb.refund(database, order_id, cb.line_ids(database, order_id)[0], 2_500)
    cb.dispatch(database)
    settled, clawback = cb.entries(database, order_id)
    assert (settled.amount, settled.status, settled.statement_id) == (
        1_000,
        "settled",
        s.statement_id,
    )
    assert (clawback.amount, clawback.status, clawback.statement_id) == (-250, "pending", None)
    assert clawback.reverses_id == settled.id
    assert clawback.release_at is not None and clawback.release_at >= before
    assert clawback.detail["reason"] == "refund"


def test_a_cap_bounds_what_a_line_pays(database: Database) -> None:
    s = cb.setup(database)
    cb.plan(database, s, [{"kind": "cps", "rate_bp": 5000, "cap": 300}])
    order_id = cb.order(database, s, [(s.skus[0], 1, 10_000, 0)], bound_guide_id=s.guide_id)
    cb.dispatch(database)
    cb.refund(database, order_id, cb.line_ids(database, order_id)[0], 5_000)
    cb.dispatch(database)
    found = cb.entries(database, order_id)
    assert [(e.amount, e.status, e.detail["cap"]) for e in found] == [(300, "pending", 300)]


def test_a_guides_own_purchase_earns_only_where_the_rule_says_so(database: Database) -> None:
    s = cb.setup(database)
    member_id = member_builders.member_of_brand_only(database, s.brand_id)
    cb.own_member(database, s, s.guide_id, member_id)
    cb.plan(database, s, [CPS_10])
    refused = cb.order(
        database, s, [(s.skus[0], 1, 10_000, 0)], member_id=member_id, bound_guide_id=s.guide_id
    )
    cb.dispatch(database)
    cb.plan(database, s, [CPS_10 | {"own_purchases": True}])
    counted = cb.order(
        database, s, [(s.skus[0], 1, 10_000, 0)], member_id=member_id, bound_guide_id=s.guide_id
    )
    cb.dispatch(database)
    assert cb.entries(database, refused) == []
    assert [e.amount for e in cb.entries(database, counted)] == [1_000]


def test_bound_selling_and_fulfilling_stores_earn_their_shares(database: Database) -> None:
    s = cb.setup(database)
    world = s.world
    cb.plan(
        database, s,
        [{"kind": "store", "store_bound_bp": 100, "store_selling_bp": 200,
          "store_fulfilling_bp": 300, "channel": "online"}],
    )  # fmt: skip
    order_id = cb.order(
        database, s, [(s.skus[0], 1, 10_000, 0)],
        bound_store_id=world.west_store.id, location_id=world.west_store.id,
    )  # fmt: skip
    pos = cb.order(database, s, [(s.skus[0], 1, 10_000, 0)], channel="pos")
    cb.dispatch(database)
    found = cb.entries(database, order_id)
    assert [(e.kind, e.store_id, e.amount) for e in found] == [
        ("store_bound", world.west_store.id, 100),
        ("store_selling", world.east_store.id, 200),
        ("store_fulfilling", world.west_store.id, 300),
    ]
    assert cb.entries(database, pos) == []


def test_a_sale_through_the_guides_own_code_earns_the_share_rate(database: Database) -> None:
    s = cb.setup(database)
    with database.transaction() as session:
        session.add(
            TouchpointCode(
                code="GUIDE1", brand_id=s.brand_id, store_id=s.world.east_store.id,
                guide_id=s.referrer_id, placement="badge", target="store",
            )
        )  # fmt: skip
    cb.plan(database, s, [CPS_10, {"kind": "share", "rate_bp": 300}])
    order_id = cb.order(
        database, s, [(s.skus[0], 1, 10_000, 0)],
        bound_guide_id=s.guide_id, touchpoint_code="GUIDE1",
    )  # fmt: skip
    cb.dispatch(database)
    assert _by_reason(cb.entries(database, order_id)) == {
        "bound_guide": [1_000], "share_link": [300]
    }  # fmt: skip


def test_the_most_specific_rule_for_the_guides_level_wins(database: Database) -> None:
    s = cb.setup(database)
    cb.set_level(database, s.guide_id, "senior")
    cb.plan(
        database, s,
        [CPS_10, {"kind": "cps", "rate_bp": 2000, "guide_level": "senior"},
         {"kind": "cps", "rate_bp": 3000, "sku_id": s.skus[1]}],
    )  # fmt: skip
    order_id = cb.order(
        database, s, [(s.skus[0], 1, 10_000, 0), (s.skus[1], 1, 10_000, 0)],
        bound_guide_id=s.guide_id,
    )  # fmt: skip
    cb.dispatch(database)
    found = cb.entries(database, order_id)
    assert [(e.amount, e.detail["rule_name"]) for e in found] == [
        (2_000, "Rule 1"), (3_000, "Rule 2")
    ]  # fmt: skip


def test_a_recruiting_guide_earns_cpa_once_on_join_and_once_on_first_order(
    database: Database,
) -> None:
    s = cb.setup(database)
    cb.plan(
        database, s,
        [{"kind": "cpa", "fixed": 500, "cpa_trigger": "join"},
         {"kind": "cpa", "fixed": 800, "cpa_trigger": "first_order"}],
    )  # fmt: skip
    member_id = member_builders.member(database, s.world, guide_id=s.guide_id)
    first = cb.order(
        database, s, [(s.skus[0], 1, 10_000, 0)], member_id=member_id, bound_guide_id=s.guide_id
    )
    second = cb.order(
        database, s, [(s.skus[0], 1, 10_000, 0)], member_id=member_id, bound_guide_id=s.guide_id,
        paid_at=PAID_AT + timedelta(days=1),
    )  # fmt: skip
    cb.dispatch(database)
    cb.replay(database)
    cpa = sorted((e for e in cb.entries(database) if e.kind == "cpa"), key=lambda e: e.amount)
    assert [(e.key, e.amount, e.guide_id, e.order_id, e.detail["reason"]) for e in cpa] == [
        (f"cpa:join:member:{member_id}", 500, s.guide_id, None, "cpa_join"),
        (f"cpa:first_order:member:{member_id}", 800, s.guide_id, first, "cpa_first_order"),
    ]
    assert second != first


def test_a_bulk_rebind_moves_no_money_already_earned(database: Database) -> None:
    s = cb.setup(database)
    cb.plan(database, s, [CPS_10])
    member_id = member_builders.member(database, s.world, guide_id=s.guide_id)
    order_id = cb.order(
        database, s, [(s.skus[0], 2, 10_000, 0)], member_id=member_id, bound_guide_id=s.guide_id
    )
    cb.dispatch(database)
    with database.transaction() as session:
        members_service.rebind_guide_members(
            session=session, scope=SYSTEM, guide_id=s.guide_id,
            data=RebindRequest(to_guide_id=s.referrer_id),
        )  # fmt: skip
    cb.dispatch(database)
    cb.refund(database, order_id, cb.line_ids(database, order_id)[0], 10_000, quantity=1)
    cb.dispatch(database)
    found = cb.live(cb.entries(database, order_id))
    assert [(e.guide_id, e.amount) for e in found] == [(s.guide_id, 1_000)]
    with database.transaction(read_only=True) as session:
        theirs = session.scalars(
            select(CommissionEntry).where(CommissionEntry.guide_id == s.referrer_id)
        ).all()
    assert list(theirs) == []


def test_an_exchange_and_a_replay_move_nothing(database: Database) -> None:
    shop = order_builders.shop(database, prices=[10_000, 10_000])
    s = cb.setup(database, world=shop.world, skus=0)
    cb.plan(database, s, [CPS_10])
    member_id = member_builders.member(database, shop.world)
    order_id = return_builders.received_order(
        database, shop, quantities=[1, 0], member_id=member_id
    )
    cb.dispatch(database)
    before = cb.ledger(database)
    line = cb.line_ids(database, order_id)[0]
    return_builders.take_back(
        database, shop, order_id, shop.store_id, kind="exchange",
        lines=[{"order_line_id": line, "quantity": 1, "exchange_sku_id": shop.skus[1]}],
    )  # fmt: skip
    cb.dispatch(database)
    cb.replay(database)
    assert cb.ledger(database) == before
    assert len(before) == 1
