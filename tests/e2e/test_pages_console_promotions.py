"""The console's promotion screens: promotions and coupon templates made and changed
through forms, refused input shown on its field, the redemption report, and the platform
operator's coupon packages from draft to published."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import builders
from tests import promotion_builders as pb
from tests.e2e.manage.test_manage_translated import problems_of, raw_codes, untranslated_pattern
from tests.e2e.pages_support import login, post_form

from newretail.db import Database
from newretail.promotions.models import CouponTemplate, Promotion

pytestmark = pytest.mark.sqlite_only

EN = {"accept-language": "en"}
ZH = {"accept-language": "zh-CN"}


def _promotion_fields(**fields: str) -> dict[str, str]:
    return {
        "name": "Running shoes: spend 599 save 100",
        "kind": "spend_save",
        "stacking": "stackable",
        "priority": "0",
        "tier_spend_1": "599",
        "tier_off_1": "100",
        "starts_at": "2026-01-01T10:00",
        "channel_cloud_store": "1",
        **fields,
    }


def _ids(database: Database, model: type[Promotion] | type[CouponTemplate]) -> list[int]:
    with database.transaction(read_only=True) as session:
        return list(session.scalars(select(model.id).order_by(model.id)))


def test_hq_creates_and_changes_a_promotion_and_reads_it_in_the_list(
    client: TestClient, database: Database
) -> None:
    shop = pb.shop(database)
    login(client, shop.world.admin)
    made = post_form(client, "/console/promotions/new", _promotion_fields())
    (promotion_id,) = _ids(database, Promotion)
    edit = client.get(f"/console/promotions/{promotion_id}/edit", headers=EN)
    changed = post_form(
        client,
        f"/console/promotions/{promotion_id}/edit",
        _promotion_fields(name="Spend 599 save 120", tier_off_1="120", status="active"),
    )
    listed = client.get("/console/promotions", headers=EN)
    assert made.status_code == 303, made.text[:2000]
    assert 'value="599.00"' in edit.text
    assert changed.status_code == 303
    assert "Spend 599 save 120" in listed.text
    assert re.search(r"Spend CN¥599\.00, save CN¥120\.00", listed.text)
    assert "Channels: Cloud store" in listed.text


def test_bad_promotion_input_is_shown_on_its_field(client: TestClient, database: Database) -> None:
    shop = pb.shop(database)
    login(client, shop.world.admin)
    over = post_form(
        client,
        "/console/promotions/new",
        _promotion_fields(kind="nth_item", every="2", percent_off="120"),
    )
    reversed_dates = post_form(
        client, "/console/promotions/new", _promotion_fields(ends_at="2025-01-01T10:00")
    )
    assert over.status_code == 422
    assert 'id="percent_off-error"' in over.text
    assert reversed_dates.status_code == 422
    assert 'id="ends_at-error"' in reversed_dates.text
    assert _ids(database, Promotion) == []


def test_hq_makes_a_coupon_changes_its_limits_and_reads_the_report(
    client: TestClient, database: Database
) -> None:
    shop = pb.shop(database)
    login(client, shop.world.admin)
    made = post_form(
        client,
        "/console/coupons/new",
        {
            "name": "100 off 599",
            "kind": "threshold",
            "stacking": "stackable",
            "amount": "100",
            "threshold": "599",
            "funder": "brand",
            "starts_at": "2026-01-01T10:00",
            "valid_days": "30",
            "per_order": "1",
            "return_rule": "restore",
        },
    )
    (template_id,) = _ids(database, CouponTemplate)
    pb.claim(database, pb.member(database, shop), template_id)
    changed = post_form(
        client,
        f"/console/coupons/{template_id}/edit",
        {
            "name": "100 off 599",
            "total_quantity": "500",
            "return_rule": "restore",
            "status": "active",
        },
    )
    listed = client.get("/console/coupons", headers=EN)
    forms = [
        client.get(path, headers=EN)
        for path in (
            "/console/coupons/new",
            f"/console/coupons/{template_id}/edit",
            "/console/promotions/new",
        )
    ]
    report = client.get("/console/coupons/report", headers=EN)
    assert made.status_code == 303, made.text[:2000]
    assert changed.status_code == 303
    assert [f.status_code for f in forms] == [200, 200, 200]
    assert "1 / 500" in listed.text
    assert "CN¥100.00 off on CN¥599.00 or more" in listed.text
    assert report.status_code == 200
    assert "Redemption report" in report.text


def test_the_operator_assembles_reviews_and_publishes_a_package(
    client: TestClient, database: Database
) -> None:
    a, b = pb.shop(database), pb.shop(database)
    cheap = pb.template(database, a, name="Bedding 10 off")
    dear = pb.template(database, a, name="Bedding 50 off", terms={"amount": 5_000})
    other = pb.template(database, b, name="Sofa 20 off", terms={"amount": 2_000})
    login(client, builders.platform_admin(database))
    form = client.get("/console/packages/new", headers=EN)
    made = post_form(
        client,
        "/console/packages/new",
        {
            "name": "Home makeover",
            "kind": "industry",
            "theme": "home decoration",
            "budget": "60",
            "starts_at": "2026-01-01T10:00",
            f"template_{cheap}": "1",
            f"template_{dear}": "1",
            f"template_{other}": "1",
        },
    )
    proposal = client.get(made.headers["location"], headers=EN)
    published = post_form(client, made.headers["location"] + "/publish", {})
    listed = client.get("/console/packages", headers=EN)
    assert "Sofa 20 off" in form.text
    assert made.status_code == 303, made.text[:2000]
    assert "Its brand gives a better benefit: Bedding 50 off" in proposal.text
    assert "Does not fit in the budget the picks leave" in proposal.text
    assert "Without it the best package is worth" in proposal.text
    assert published.status_code == 303
    assert "Published" in listed.text


def test_the_package_pages_in_chinese_show_only_translated_words(
    client: TestClient, database: Database
) -> None:
    a, b = pb.shop(database), pb.shop(database)
    templates = [
        pb.template(database, a, name="床品立减"),
        pb.template(database, b, name="沙发立减", terms={"amount": 2_000}),
    ]
    package_id = pb.package(database, templates, budget=2_500)
    login(client, builders.platform_admin(database))
    codes, untranslated = raw_codes(), untranslated_pattern()
    paths = ["/console/packages", "/console/packages/new", f"/console/packages/{package_id}"]
    pages = {path: client.get(path, headers=ZH) for path in paths}
    assert [p.status_code for p in pages.values()] == [200, 200, 200]
    found = {path: problems_of(p.text, codes, untranslated) for path, p in pages.items()}
    assert {path: problems for path, problems in found.items() if problems} == {}
    assert "同品牌有更优的权益" not in pages[paths[2]].text
    assert "已选权益剩余的预算放不下" in pages[paths[2]].text
