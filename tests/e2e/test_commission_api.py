"""Commission over HTTP: plans and rules refused whole with a code, the rule tester, and the
ledger by the visibility ladder."""

from typing import Any

from fastapi.testclient import TestClient
from tests import builders
from tests import commission_builders as cb

from newretail.db import Database

PLANS = "/api/v1/commission/plans"


def _plan(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(PLANS, json={"name": "Spring", "is_active": True} | body, headers=headers)


def test_a_split_that_does_not_add_up_to_100_is_refused_and_nothing_is_written(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    hq = world.headers("admin")
    refused = _plan(client, hq, policy="split", bound_share_bp=6000, referring_share_bp=3000)
    assert (refused.status_code, refused.json()["code"]) == (422, "split_not_100")
    assert client.get(PLANS, headers=hq).json() == []


def test_rules_outside_0_to_100_percent_or_overlapping_are_refused_with_codes(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    hq = world.headers("admin")
    plan = _plan(client, hq, policy="split", bound_share_bp=7000).json()
    rules = f"{PLANS}/{plan['id']}/rules"
    base = {"kind": "cps", "rate_bp": 500, "channel": "pos"}
    too_high = client.post(rules, json=base | {"name": "Too high", "rate_bp": 10_001}, headers=hq)
    negative = client.post(rules, json=base | {"name": "Negative", "rate_bp": -1}, headers=hq)
    first = client.post(rules, json=base | {"name": "POS base"}, headers=hq)
    clash = client.post(rules, json=base | {"name": "POS promo", "rate_bp": 800}, headers=hq)
    above = client.post(
        rules, json=base | {"name": "POS promo", "rate_bp": 800, "priority": 1}, headers=hq
    )
    assert (too_high.status_code, too_high.json()["code"]) == (422, "rate_out_of_range")
    assert negative.json()["code"] == "rate_out_of_range"
    assert first.status_code == 201
    assert (clash.status_code, clash.json()["code"]) == (409, "overlapping_rules")
    assert "POS promo" in clash.json()["detail"] and "POS base" in clash.json()["detail"]
    assert above.status_code == 201
    stored = client.get(f"{PLANS}/{plan['id']}", headers=hq).json()
    assert [r["name"] for r in stored["rules"]] == ["POS base", "POS promo"]
    assert (stored["bound_share_bp"], stored["referring_share_bp"]) == (7000, 3000)


def test_only_hq_writes_plans(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    response = _plan(client, world.headers("east_store_manager"))
    assert response.status_code == 403


def test_the_rule_tester_explains_what_a_line_would_earn(
    client: TestClient, database: Database
) -> None:
    s = cb.setup(database)
    hq = s.world.headers("admin")
    plan = _plan(client, hq, policy="split", bound_share_bp=6000).json()
    client.post(
        f"{PLANS}/{plan['id']}/rules",
        json={"name": "Base", "kind": "cps", "rate_bp": 1000, "cap": 500},
        headers=hq,
    )
    imagined = client.post(
        "/api/v1/commission/test",
        json={
            "channel": "online",
            "sku_id": s.skus[0],
            "store_id": s.world.east_store.id,
            "bound_guide_id": s.guide_id,
            "referring_guide_id": s.referrer_id,
            "amount": 10_000,
        },
        headers=hq,
    ).json()
    order_id = cb.order(database, s, [(s.skus[0], 1, 2_000, 0)], bound_guide_id=s.guide_id)
    line_id = cb.line_ids(database, order_id)[0]
    real = client.post(
        "/api/v1/commission/test", json={"order_line_id": line_id}, headers=hq
    ).json()
    assert (imagined["total"], [e["amount"] for e in imagined["entries"]]) == (500, [300, 200])
    assert imagined["entries"][0]["explanation"] == (
        "Spring / Base: 10 % of 100.00, capped at 5.00, 60 % share of the split = 3.00 (split)"
    )
    assert [(e["guide_id"], e["amount"]) for e in real["entries"]] == [(s.guide_id, 200)]
    assert cb.entries(database) == []


def test_the_ledger_shows_each_rung_its_own(client: TestClient, database: Database) -> None:
    s = cb.setup(database)
    other = builders.brand_world(database)
    cb.plan(database, s, [{"kind": "cps", "rate_bp": 1000},
                          {"kind": "store", "store_selling_bp": 100}])  # fmt: skip
    cb.order(database, s, [(s.skus[0], 1, 10_000, 0)], bound_guide_id=s.guide_id)
    cb.order(database, s, [(s.skus[0], 1, 10_000, 0)], bound_guide_id=s.referrer_id,
             store_id=s.world.west_store.id)  # fmt: skip
    cb.dispatch(database)

    def seen(headers: dict[str, str]) -> list[tuple[str, int | None, int | None]]:
        page = client.get("/api/v1/commission/ledger", headers=headers).json()
        return sorted((e["kind"], e["guide_id"], e["store_id"]) for e in page["items"])

    east, west = s.world.east_store.id, s.world.west_store.id
    assert seen(s.world.headers("east_guide")) == [("cps", s.guide_id, None)]
    assert seen(s.world.headers("east_store_manager")) == [
        ("cps", s.guide_id, None),
        ("cps", s.referrer_id, None),
        ("store_selling", None, east),
    ]
    assert len(seen(s.world.headers("admin"))) == 4
    assert ("store_selling", None, west) in seen(s.world.headers("admin"))
    assert seen(other.headers("admin")) == []


def test_a_manager_sets_a_guides_level_but_nobody_their_own(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    guide = f"/api/v1/staff/{world.east_guide.id}"
    set_by_manager = client.patch(
        guide, json={"guide_level": "star"}, headers=world.headers("east_store_manager")
    )
    by_themselves = client.patch(
        guide, json={"guide_level": "junior"}, headers=world.headers("east_guide")
    )
    unknown = client.patch(guide, json={"guide_level": "legend"}, headers=world.headers("admin"))
    assert (set_by_manager.status_code, set_by_manager.json()["guide_level"]) == (200, "star")
    assert by_themselves.status_code == 403
    assert unknown.status_code == 422
    cleared = client.patch(guide, json={"guide_level": None}, headers=world.headers("admin"))
    assert cleared.json()["guide_level"] is None


def test_a_guides_own_membership_is_named_by_a_manager(
    client: TestClient, database: Database
) -> None:
    from tests import member_builders

    world = builders.brand_world(database)
    member_id = member_builders.member_of_brand_only(database, world.brand.id)
    path = f"/api/v1/commission/guides/{world.east_guide.id}/membership"
    saved = client.put(path, json={"member_id": member_id}, headers=world.headers("admin"))
    assert saved.json() == {"member_id": member_id}
    assert client.get(path, headers=world.headers("admin")).json() == {"member_id": member_id}
