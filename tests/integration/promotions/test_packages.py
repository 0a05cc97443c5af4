"""Coupon packages on the database: the optimiser's proposal with its reasons, publishing,
and claims of whole packages, all or nothing, under load on SQLite and PostgreSQL."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from tests import builders, member_builders
from tests import promotion_builders as pb

from newretail.db import Database
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import SYSTEM
from newretail.members.models import Membership
from newretail.org import service as org_service
from newretail.org.schemas import DistrictCreate
from newretail.promotions import service as promotions_service
from newretail.promotions.models import Coupon, CouponTemplate
from newretail.promotions.packages import service as packages_service
from newretail.promotions.packages.models import CouponPackage, PackageCandidate
from newretail.promotions.packages.schemas import PackageUpdate

WORKERS = 16


def _verdicts(database: Database, package_id: int) -> dict[int, tuple[str, int | None]]:
    with database.transaction(read_only=True) as session:
        rows = session.scalars(
            select(PackageCandidate).where(PackageCandidate.package_id == package_id)
        )
        return {c.template_id: (c.reason, c.other_template_id) for c in rows}


def _issued(database: Database, *template_ids: int) -> list[int]:
    with database.transaction(read_only=True) as session:
        rows = [session.get(CouponTemplate, t) for t in template_ids]
        return [t.issued for t in rows if t is not None]


def _refusal(database: Database, consumer_id: int, package_id: int) -> str:
    try:
        pb.claim_package(database, consumer_id, package_id)
    except DomainError as refused:
        return refused.code
    return "claimed"


def _archive(database: Database, template_id: int) -> None:
    with database.transaction() as session:
        row = promotions_service.get_template(
            session=session, scope=SYSTEM, template_id=template_id
        )
        promotions_service.archive(session=session, scope=SYSTEM, row=row)


def _three_brands(database: Database) -> list[pb.Shop]:
    return [pb.shop(database) for _ in range(3)]


def test_the_proposal_picks_within_the_budget_and_says_why_each_other_is_out(
    database: Database,
) -> None:
    a, b, c = _three_brands(database)
    a_big, a_small = (pb.template(database, a, terms={"amount": n}) for n in (3_000, 1_000))
    b_only = pb.template(database, b, terms={"amount": 5_000})
    c_kept = pb.template(database, c, terms={"amount": 2_000})
    c_archived = pb.template(database, c, terms={"amount": 500})
    _archive(database, c_archived)
    package_id = pb.package(database, [a_big, a_small, b_only, c_kept, c_archived], budget=7_000)
    with database.transaction(read_only=True) as session:
        package = session.get(CouponPackage, package_id)
        assert package is not None
        figures = (package.value, package.cost, package.status)
    assert figures == (2_100, 7_000, "draft")
    assert _verdicts(database, package_id) == {
        a_big: ("budget_left", None),
        a_small: ("budget_left", None),
        b_only: ("picked", None),
        c_kept: ("picked", None),
        c_archived: ("template_inactive", None),
    }


def test_a_consumer_claims_the_whole_package_and_joins_the_brands_they_were_new_to(
    database: Database,
) -> None:
    a, b, _ = _three_brands(database)
    templates = [pb.template(database, a), pb.template(database, b)]
    package_id = pb.published_package(database, templates)
    member_id = pb.member(database, a)
    consumer_id = member_builders.consumer_of(database, member_id)
    coupons = pb.claim_package(database, consumer_id, package_id)
    again = _refusal(database, consumer_id, package_id)
    with database.transaction(read_only=True) as session:
        held = session.scalars(select(Coupon).where(Coupon.id.in_(coupons))).all()
        brands = sorted(
            m.brand_id
            for m in session.scalars(
                select(Membership).where(Membership.consumer_id == consumer_id)
            )
        )
        wallet = [(c.brand_id, c.template_id, c.package_claim_id is not None) for c in held]
    assert sorted(wallet) == [
        (a.world.brand.id, templates[0], True),
        (b.world.brand.id, templates[1], True),
    ]
    assert brands == sorted([a.world.brand.id, b.world.brand.id])
    assert again == "package_already_claimed"
    assert _issued(database, *templates) == [1, 1]


def test_a_benefit_that_cannot_be_issued_refuses_the_whole_claim(database: Database) -> None:
    a, b, _ = _three_brands(database)
    plenty = pb.template(database, a)
    limited = pb.template(database, b, per_member_limit=1)
    package_id = pb.published_package(database, [plenty, limited])
    member_id = pb.member(database, b)
    pb.claim(database, member_id, limited)
    refused = _refusal(database, member_builders.consumer_of(database, member_id), package_id)
    assert refused == "member_limit_reached"
    assert _issued(database, plenty, limited) == [0, 1]


def test_many_consumers_claiming_the_last_packages_get_whole_packages_or_nothing(
    database: Database,
) -> None:
    a, b, c = _three_brands(database)
    templates = [
        pb.template(database, a),
        pb.template(database, b, total_quantity=3),
        pb.template(database, c, total_quantity=5),
    ]
    package_id = pb.published_package(database, templates)
    consumers = [member_builders.consumer(database) for _ in range(WORKERS * 2)]
    barrier = threading.Barrier(WORKERS)

    def attempt(consumer_id: int) -> str:
        barrier.wait(timeout=120)
        return _refusal(database, consumer_id, package_id)

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = Counter(pool.map(attempt, consumers))
    with database.transaction(read_only=True) as session:
        package = session.get(CouponPackage, package_id)
        claimed = package.claimed if package else None
    assert outcomes == {"claimed": 3, "coupons_exhausted": WORKERS * 2 - 3}
    assert _issued(database, *templates) == [3, 3, 3]
    assert claimed == 3


def test_one_consumer_claiming_from_many_threads_gets_one_package(database: Database) -> None:
    a, b, _ = _three_brands(database)
    package_id = pb.published_package(
        database, [pb.template(database, a), pb.template(database, b)]
    )
    consumer_id = member_builders.consumer(database)
    barrier = threading.Barrier(WORKERS)

    def attempt(_: int) -> str:
        barrier.wait(timeout=120)
        return _refusal(database, consumer_id, package_id)

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = Counter(pool.map(attempt, range(WORKERS)))
    assert outcomes == {"claimed": 1, "package_already_claimed": WORKERS - 1}


def test_the_package_quantity_stops_claims(database: Database) -> None:
    a, b, _ = _three_brands(database)
    package_id = pb.published_package(
        database, [pb.template(database, a), pb.template(database, b)], total_quantity=1
    )
    first, second = (member_builders.consumer(database) for _ in range(2))
    assert [_refusal(database, n, package_id) for n in (first, second)] == [
        "claimed",
        "packages_exhausted",
    ]


def test_publishing_needs_a_pick_and_unchanged_templates(database: Database) -> None:
    a, b, _ = _three_brands(database)
    too_dear = pb.template(database, a, terms={"amount": 50_000})
    kept, archived = pb.template(database, a), pb.template(database, b)
    empty = pb.package(database, [too_dear])
    stale = pb.package(database, [kept, archived])
    _archive(database, archived)

    def publish(package_id: int) -> str:
        with pytest.raises(DomainError) as refused, database.transaction() as session:
            packages_service.publish(session=session, scope=SYSTEM, package_id=package_id)
        return refused.value.code

    assert [publish(empty), publish(stale)] == ["package_empty", "package_stale"]
    assert _verdicts(database, empty) == {too_dear: ("over_budget", None)}


def test_a_published_package_no_longer_changes(database: Database) -> None:
    a, b, _ = _three_brands(database)
    package_id = pb.published_package(
        database, [pb.template(database, a), pb.template(database, b)]
    )
    with pytest.raises(DomainError) as refused, database.transaction() as session:
        packages_service.update_package(
            session=session, scope=SYSTEM, package_id=package_id, data=PackageUpdate(budget=1)
        )
    assert refused.value.code == "package_not_draft"


def test_a_district_package_gathers_the_templates_usable_in_the_district(
    database: Database,
) -> None:
    a, b, c = _three_brands(database)
    with database.transaction() as session:
        district = org_service.create_district(
            session=session,
            scope=SYSTEM,
            data=DistrictCreate(code="mall-1", name="Mall", lat=31.23, lng=121.47),
        )
        in_mall = [
            builders.store(
                session, shop.world.brand.id, shop.world.east.id, district_id=district.id
            ).id
            for shop in (a, b)
        ]
        district_id = district.id
    a_anywhere = pb.template(database, a)
    a_elsewhere = pb.template(database, a, reach={"stores": [a.store_id]})
    b_in_mall = pb.template(database, b, reach={"stores": [in_mall[1]]})
    pb.template(database, c)  # c has no store in the mall
    package_id = pb.package(database, [], kind="district", district_id=district_id, budget=100_000)
    assert _verdicts(database, package_id) == {
        a_anywhere: ("picked", None),
        a_elsewhere: ("not_in_district", None),
        b_in_mall: ("picked", None),
    }


def test_a_paid_voucher_is_never_given_away_in_a_package(database: Database) -> None:
    shop = pb.shop(database)
    given = pb.template(database, shop, terms={"amount": 1_000})
    sold = pb.template(database, shop, kind="paid", terms={"amount": 5_000, "price": 4_000})
    package_id = pb.package(database, [given, sold], budget=10_000)
    assert _verdicts(database, package_id) == {
        given: ("picked", None),
        sold: ("sold_not_given", None),
    }
