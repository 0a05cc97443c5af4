"""Re-targeting rules over HTTP: a radius outside 3-5 km, a template that does not fit and a
coupon offer without its coupon are refused with reasons; another brand's rule is 404."""

import pytest
from fastapi.testclient import TestClient
from tests import builders

from newretail.db import Database

pytestmark = pytest.mark.postgres
BASE = "/api/v1/analytics/retarget-rules"
ANY_MEMBER = {"kind": "profile", "field": "member", "value": True}


def _audience(client: TestClient, headers: dict[str, str]) -> int:
    made = client.post(
        "/api/v1/analytics/audiences", json={"name": "m", "rule": ANY_MEMBER}, headers=headers
    )
    return int(made.json()["id"])


def _body(audience_id: int, **changes: object) -> dict[str, object]:
    return {
        "name": "near",
        "audience_id": audience_id,
        "offer_kind": "message",
        "starts_at": "2026-11-01T00:00:00Z",
        **changes,
    }


def test_rules_are_made_and_bad_ones_refused_with_reasons(
    analytics_client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    admin = world.headers("admin")
    audience = _audience(analytics_client, admin)

    made = analytics_client.post(BASE, json=_body(audience, radius_m=4_000), headers=admin)
    too_wide = analytics_client.post(BASE, json=_body(audience, radius_m=6_000), headers=admin)
    no_coupon = analytics_client.post(
        BASE, json=_body(audience, offer_kind="coupon"), headers=admin
    )
    unfit = analytics_client.post(
        BASE, json=_body(audience, variables={"discount": "10%"}), headers=admin
    )
    stopped = analytics_client.post(f"{BASE}/{made.json()['id']}/stop", headers=admin)

    assert made.status_code == 201, made.text
    assert made.json()["template"] == "analytics.nearby_offer"
    assert too_wide.status_code == 422
    assert "less than or equal to 5000" in too_wide.text
    assert "coupon_template_id" in no_coupon.text
    assert (unfit.status_code, unfit.json()["code"]) == (422, "invalid_retarget_rule")
    assert stopped.json()["active"] is False


def test_another_brands_rule_and_audience_do_not_exist_for_the_caller(
    analytics_client: TestClient, database: Database
) -> None:
    mine, theirs = builders.brand_world(database), builders.brand_world(database)
    their_audience = _audience(analytics_client, theirs.headers("admin"))
    rule = analytics_client.post(
        BASE, json=_body(their_audience), headers=theirs.headers("admin")
    ).json()
    me = mine.headers("admin")

    answers = [
        analytics_client.get(f"{BASE}/{rule['id']}", headers=me),
        analytics_client.post(f"{BASE}/{rule['id']}/stop", headers=me),
        analytics_client.get(f"{BASE}/{rule['id']}/sends", headers=me),
        analytics_client.post(BASE, json=_body(their_audience), headers=me),
        analytics_client.get(BASE, params={"brand_id": theirs.brand.id}, headers=me),
    ]

    assert [a.status_code for a in answers] == [404] * 5
    assert analytics_client.get(BASE, headers=me).json() == []
