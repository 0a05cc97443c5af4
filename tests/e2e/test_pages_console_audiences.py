"""The console's audience screens: an audience made from a segment holds that segment's rule,
refused input is shown on its field and makes nothing, a send gives nothing twice under one
name, an audience made with another rule reads as a custom one, and only the data bank's
readers of the audience's brand see any of it; an offer near stores is started and stopped
from the audience's page; its members are downloaded as CSV and pushed to ad platforms."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import analytics_builders, builders
from tests import audience_builders as ab
from tests import promotion_builders as pb
from tests.e2e.manage.test_manage_translated import problems_of, raw_codes, untranslated_pattern
from tests.e2e.pages_support import login, post_form

from newretail.analytics.audiences.models import Audience
from newretail.analytics.outreach.models import AudienceSend, AudienceSendRun
from newretail.analytics.retarget.models import RetargetRule
from newretail.db import Database
from newretail.outbox.models import OutboxEvent

pytestmark = pytest.mark.sqlite_only

ZH = {"accept-language": "zh-CN"}


def _count(database: Database, model: Any) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_an_audience_made_from_a_segment_holds_its_rule_and_reads_in_words(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)

    made = post_form(
        client,
        "/console/audiences",
        {"name": "加购未下单", "segment": "cart_no_order", "days": "14"},
    )

    assert made.status_code == 303, made.text
    with database.transaction(read_only=True) as session:
        audience_id, brand_id, rule = session.execute(
            select(Audience.id, Audience.brand_id, Audience.rule)
        ).one()
    assert made.headers["location"] == f"/console/audiences/{audience_id}"
    assert brand_id == world.brand.id
    assert (rule["kind"], rule["event"], rule["within_days"]) == ("did", "Product Added", 14)
    assert rule["none_since"] == ["Order Completed"]
    page = client.get(f"/console/audiences/{audience_id}", headers=ZH)
    listed = client.get("/console/audiences", headers=ZH)
    assert "近 14 天线上加购、之后未下单" in page.text
    assert "近 14 天线上加购、之后未下单" in listed.text
    for shown in (page, listed):
        assert shown.status_code == 200
        assert problems_of(shown.text, raw_codes(), untranslated_pattern()) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "", "segment": "bought", "days": "30"}, "name"),
        ({"name": "x" * 201, "segment": "bought", "days": "30"}, "name"),
        ({"name": "Buyers", "segment": "nothing", "days": "30"}, "segment"),
        ({"name": "Buyers", "segment": "bought", "days": "0"}, "days"),
        ({"name": "Buyers", "segment": "bought", "days": "99999"}, "days"),
    ],
)
def test_a_refused_audience_shows_why_on_its_field_and_makes_nothing(
    client: TestClient, database: Database, fields: dict[str, str], field: str
) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)

    refused = post_form(client, "/console/audiences", fields)

    assert refused.status_code == 422
    assert f'<p class="field__error" id="{field}-error">' in refused.text
    assert _count(database, Audience) == 0


def test_a_send_from_the_page_gives_each_member_once_and_asks_for_something_to_give(
    client: TestClient, database: Database
) -> None:
    shop = pb.shop(database)
    brand = shop.world.brand.id
    coupon = pb.template(database, shop, name="满 100 减 10")
    keen = [analytics_builders.member(database, brand, marketing=True) for _ in range(2)]
    audience = ab.audience(database, brand, dict.fromkeys(keen, True))
    login(client, shop.world.admin)
    client.headers.update(ZH)
    path = f"/console/audiences/{audience}/sends"

    nothing = post_form(client, path, {"key": "spring"})
    first = post_form(client, path, {"key": "spring", "coupon_template": str(coupon)})
    again = post_form(
        client, path, {"key": "spring", "coupon_template": str(coupon), "message": "1"}
    )
    page = client.get(f"/console/audiences/{audience}", headers=ZH)

    assert nothing.status_code == 422
    assert "请选择优惠券、消息或两者都选。" in nothing.text
    assert (first.status_code, again.status_code) == (303, 303)
    assert _count(database, AudienceSend) == 2
    assert _count(database, AudienceSendRun) == 2
    assert "此前已发过: 2" in page.text
    assert problems_of(page.text, raw_codes(), untranslated_pattern()) == []


def test_an_audience_made_with_another_rule_reads_as_custom_with_its_rule(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    body = {
        "name": "Tried on, twice",
        "rule": {"kind": "did", "event": "Item Tried On", "min_count": 2},
    }
    made = client.post("/api/v1/analytics/audiences", json=body, headers=world.headers("admin"))
    login(client, world.admin)

    page = client.get(f"/console/audiences/{made.json()['id']}", headers=ZH)

    assert made.status_code == 201, made.text
    assert "自定义规则" in page.text
    assert "Item Tried On" in page.text


def test_only_the_brands_analysts_see_its_audiences(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    other = builders.brand_world(database)
    audience = ab.audience(database, world.brand.id, {})

    login(client, world.east_store_manager)
    store_list = client.get("/console/audiences")
    store_page = client.get(f"/console/audiences/{audience}")
    client.cookies.clear()
    login(client, other.admin)
    foreign_page = client.get(f"/console/audiences/{audience}")
    foreign_send = post_form(
        client, f"/console/audiences/{audience}/sends", {"key": "x", "message": "1"}
    )
    own_list = client.get("/console/audiences")

    assert (store_list.status_code, store_page.status_code) == (403, 404)
    assert (foreign_page.status_code, foreign_send.status_code) == (404, 404)
    assert own_list.status_code == 200
    assert f"/console/audiences/{audience}" not in own_list.text
    assert _count(database, AudienceSendRun) == 0


def test_hq_starts_and_stops_an_offer_near_stores_for_an_audience(
    client: TestClient, database: Database
) -> None:
    shop = pb.shop(database)
    brand = shop.world.brand.id
    coupon = pb.template(database, shop, name="到店立减 10 元")
    audience = ab.audience(database, brand, {})
    other_audience = ab.audience(database, brand, {})
    login(client, shop.world.admin)
    client.headers.update(ZH)
    path = f"/console/audiences/{audience}/retarget"

    nameless = post_form(client, path, {"rt_name": "", "rt_radius": "4000"})
    made = post_form(
        client,
        path,
        {"rt_name": "到店附近", "rt_radius": "4000", "rt_coupon": str(coupon), "rt_hours": "72"},
    )
    too_far = post_form(client, path, {"rt_name": "太远", "rt_radius": "9000"})
    too_long = post_form(client, path, {"rt_name": "长" * 201, "rt_radius": "3000"})
    with database.transaction(read_only=True) as session:
        rule = session.scalars(select(RetargetRule)).one()
        kept = (rule.audience_id, rule.radius_m, rule.offer_kind, rule.coupon_template_id)
        hours, rule_id = rule.period_hours, rule.id
    page = client.get(f"/console/audiences/{audience}")
    wrong_audience = post_form(
        client, f"/console/audiences/{other_audience}/retarget/{rule_id}/stop", {}
    )
    stopped = post_form(client, f"{path}/{rule_id}/stop", {})
    after = client.get(f"/console/audiences/{audience}")

    assert nameless.status_code == 422
    assert '<p class="field__error" id="rt_name-error">请为触达命名。</p>' in nameless.text
    assert too_far.status_code == 422
    assert 'id="rt_radius-error"' in too_far.text
    assert (too_long.status_code, 'id="rt_name-error"' in too_long.text) == (422, True)
    assert made.status_code == 303, made.text
    assert kept == (audience, 4000, "coupon", coupon)
    assert hours == 72
    assert "4 公里内" in page.text
    assert "每 3 天一次" in page.text
    assert "到店立减 10 元" in page.text
    assert problems_of(page.text, raw_codes(), untranslated_pattern()) == []
    assert wrong_audience.status_code == 404
    assert stopped.status_code == 303
    assert "已停止" in after.text
    with database.transaction(read_only=True) as session:
        assert session.scalars(select(RetargetRule.active)).one() is False


def test_hq_downloads_an_audiences_members_and_pushes_them_to_ad_platforms(
    client: TestClient, database: Database
) -> None:
    shop = pb.shop(database)
    brand = shop.world.brand.id
    keen = sorted(analytics_builders.member(database, brand, marketing=True) for _ in range(2))
    shy = analytics_builders.member(database, brand, marketing=False)
    audience = ab.audience(database, brand, {**dict.fromkeys(keen, True), shy: False})
    other = pb.shop(database)
    login(client, shop.world.admin)
    client.headers.update(ZH)

    csv = client.get(f"/console/audiences/{audience}/members.csv")
    pushed = post_form(client, f"/console/audiences/{audience}/push", {})
    page = client.get(f"/console/audiences/{audience}")
    client.cookies.clear()
    login(client, other.world.admin)
    foreign_csv = client.get(f"/console/audiences/{audience}/members.csv")
    foreign_push = post_form(client, f"/console/audiences/{audience}/push", {})

    lines = csv.text.splitlines()
    assert csv.headers["content-type"].startswith("text/csv")
    assert lines[0] == "person_id,member_id,marketing_consent,entered_at"
    assert sorted(int(line.split(",")[1]) for line in lines[1:]) == sorted([*keen, shy])
    assert pushed.status_code == 303
    assert "已分 1 批签名推送至广告平台" in page.text
    with database.transaction(read_only=True) as session:
        events = session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.type == "audience.exported")
        ).all()
    assert [sorted(e["member_ids"]) for e in events] == [keen]  # those who accept marketing
    assert (foreign_csv.status_code, foreign_push.status_code) == (404, 404)
