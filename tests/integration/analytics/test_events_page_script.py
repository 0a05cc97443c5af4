"""The cloud store's pages carry the first-party event script and a token for their store."""

import html
import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import shop_builders

from newretail.analytics.events.models import AnalyticsEvent
from newretail.db import Database, utcnow

SCRIPT = re.compile(r'<script src="(/static/js/nr-events\.js[^"]*)" data-token="([^"]+)"')
VIEW = re.compile(r"data-nr-view=\"Product Viewed\" data-nr-props='([^']+)'")


def test_a_product_page_sends_its_view_through_the_script_with_its_page_token(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)

    page = client.get(f"/s/{shop.east_code}/p/{shop.product.id}").text
    script = SCRIPT.search(page)
    view = VIEW.search(page)
    assert script is not None and view is not None
    event = {
        "messageId": "beacon-1",
        "event": "Product Viewed",
        "anonymousId": "visitor-1",
        "channel": "web",
        "timestamp": utcnow().isoformat(),
        "properties": json.loads(html.unescape(view.group(1))),
    }
    sent = client.post(
        "/api/v1/events/batch", json={"batch": [event], "writeKey": html.unescape(script.group(2))}
    )

    assert client.get(script.group(1)).status_code == 200
    assert sent.json()["accepted"] == 1
    with database.transaction(read_only=True) as session:
        row = session.execute(
            select(AnalyticsEvent.store_id, AnalyticsEvent.person_key, AnalyticsEvent.properties)
        ).one()
    assert row.store_id == shop.world.east_store.id
    assert row.person_key == "anon:visitor-1"
    assert row.properties["product_id"] == shop.product.id


def test_a_staff_key_is_not_taken_from_the_body(client: TestClient, database: Database) -> None:
    shop = shop_builders.shop(database)
    key = shop.world.token("admin")

    sent = client.post("/api/v1/events/batch", json={"batch": [{}], "writeKey": key})

    assert (sent.status_code, sent.json()["code"]) == (401, "events_token_required")
