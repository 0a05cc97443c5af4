"""Sends to an audience on the database: each member who accepts marketing is given one
coupon and one message, nobody else anything; asked again under the same key nothing more
is given; a coupon template run out mid-send skips the rest with the reason and issues no
coupon past its quantity; another brand's audience, coupon template or send is a 404; a
send larger than a chunk answers 202 and the worker finishes it."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import analytics_builders
from tests import audience_builders as ab
from tests import promotion_builders as pb
from tests.statements import count_statements

from newretail.analytics.outreach import sending
from newretail.analytics.outreach.jobs import give_audience_sends
from newretail.analytics.outreach.models import AudienceSend, AudienceSendRun
from newretail.analytics.outreach.schemas import AudienceSendCreate
from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.members.models import Membership
from newretail.notify.models import NotifyMessage
from newretail.promotions.models import Coupon, CouponTemplate

pytestmark = pytest.mark.postgres


def _sends(audience_id: int) -> str:
    return f"/api/v1/analytics/audiences/{audience_id}/sends"


def _body(coupon: int | None, **fields: Any) -> dict[str, Any]:
    return {"key": "winter-gift", "coupon_template_id": coupon, "message": {}, **fields}


def _wallets(database: Database, template_id: int) -> list[int]:
    with database.transaction(read_only=True) as session:
        rows = session.scalars(
            select(Coupon.membership_id).where(Coupon.template_id == template_id)
        )
        return sorted(rows)


def _messaged(database: Database, brand_id: int) -> list[int]:
    """The members sent the audience offer, once per member whatever the channels."""
    with database.transaction(read_only=True) as session:
        rows = session.scalars(
            select(Membership.id)
            .join(NotifyMessage, NotifyMessage.recipient_id == Membership.consumer_id)
            .where(
                NotifyMessage.brand_id == brand_id,
                NotifyMessage.recipient_kind == "consumer",
                NotifyMessage.template == "analytics.audience_offer",
                Membership.brand_id == brand_id,
            )
            .distinct()
        )
        return sorted(rows)


def test_each_member_who_accepts_marketing_gets_one_coupon_and_one_message(
    database: Database, client: TestClient
) -> None:
    shop = pb.shop(database)
    brand = shop.world.brand.id
    coupon = pb.template(database, shop)
    keen = sorted(analytics_builders.member(database, brand, marketing=True) for _ in range(3))
    shy = analytics_builders.member(database, brand, marketing=False)
    audience = ab.audience(database, brand, {**dict.fromkeys(keen, True), shy: False})
    admin = shop.world.headers("admin")

    answer = client.post(_sends(audience), json=_body(coupon), headers=admin)

    assert answer.status_code == 200, answer.text
    sent = answer.json()
    assert sent["finished_at"] is not None
    assert {k: v for k, v in sent.items() if k not in {"id", "created_at", "finished_at"}} == {
        "audience_id": audience,
        "key": "winter-gift",
        "status": "done",
        "members": 3,
        "reached": 3,
        "coupons": 3,
        "messages": 3,
        "skipped": {},
    }
    listed = client.get(_sends(audience), headers=admin).json()
    assert listed == [sent]
    assert client.get(f"{_sends(audience)}/{sent['id']}", headers=admin).json() == sent
    assert _wallets(database, coupon) == keen
    assert _messaged(database, brand) == keen


def test_asking_again_under_the_same_key_gives_nothing_more(
    database: Database, client: TestClient
) -> None:
    shop = pb.shop(database)
    brand = shop.world.brand.id
    coupon = pb.template(database, shop)
    keen = sorted(analytics_builders.member(database, brand, marketing=True) for _ in range(2))
    audience = ab.audience(database, brand, dict.fromkeys(keen, True))
    admin = shop.world.headers("admin")

    first = client.post(_sends(audience), json=_body(coupon), headers=admin)
    again = client.post(_sends(audience), json=_body(coupon), headers=admin)

    assert (first.json()["reached"], first.json()["coupons"]) == (2, 2)
    assert again.json()["reached"] == 0
    assert (again.json()["coupons"], again.json()["messages"]) == (0, 0)
    assert again.json()["skipped"] == {"already_sent": 2}
    assert _wallets(database, coupon) == keen
    assert _messaged(database, brand) == keen


def test_a_template_run_out_mid_send_skips_the_rest_and_issues_no_more(
    database: Database, client: TestClient
) -> None:
    shop = pb.shop(database)
    brand = shop.world.brand.id
    coupon = pb.template(database, shop, total_quantity=2)
    keen = sorted(analytics_builders.member(database, brand, marketing=True) for _ in range(4))
    audience = ab.audience(database, brand, dict.fromkeys(keen, True))

    answer = client.post(_sends(audience), json=_body(coupon), headers=shop.world.headers("admin"))

    assert answer.json()["skipped"] == {"coupons_exhausted": 2}
    assert (answer.json()["reached"], answer.json()["coupons"]) == (2, 2)
    with database.transaction(read_only=True) as session:
        issued = session.scalar(select(CouponTemplate.issued).where(CouponTemplate.id == coupon))
        rows = session.scalar(select(func.count()).select_from(AudienceSend))
    assert issued == 2
    assert rows == 2
    assert _wallets(database, coupon) == keen[:2]
    assert _messaged(database, brand) == keen[:2]


def test_another_brands_audience_and_coupon_template_are_404_and_nothing_is_sent(
    database: Database, client: TestClient
) -> None:
    shop = pb.shop(database)
    other = pb.shop(database)
    brand = shop.world.brand.id
    coupon = pb.template(database, shop)
    foreign_coupon = pb.template(database, other)
    keen = analytics_builders.member(database, brand, marketing=True)
    audience = ab.audience(database, brand, {keen: True})

    by_other = client.post(
        _sends(audience), json=_body(coupon), headers=other.world.headers("admin")
    )
    foreign = client.post(
        _sends(audience), json=_body(foreign_coupon), headers=shop.world.headers("admin")
    )
    empty = client.post(
        _sends(audience), json={"key": "nothing"}, headers=shop.world.headers("admin")
    )

    assert (by_other.status_code, by_other.json()["code"]) == (404, "audience_not_found")
    assert (foreign.status_code, foreign.json()["code"]) == (404, "coupon_template_not_found")
    assert empty.status_code == 422
    assert _wallets(database, coupon) == []
    assert _messaged(database, brand) == []


def test_a_send_larger_than_a_chunk_is_finished_by_the_worker_a_chunk_a_round(
    database: Database, client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sending, "CHUNK", 2)
    shop = pb.shop(database)
    brand = shop.world.brand.id
    coupon = pb.template(database, shop, total_quantity=4)
    keen = sorted(analytics_builders.member(database, brand, marketing=True) for _ in range(5))
    audience = ab.audience(database, brand, dict.fromkeys(keen, True))
    admin = shop.world.headers("admin")

    started = client.post(_sends(audience), json=_body(coupon), headers=admin)
    again = client.post(_sends(audience), json=_body(coupon), headers=admin)

    assert started.status_code == 202, started.text
    first = started.json()
    assert (first["status"], first["members"], first["reached"]) == ("running", 5, 2)
    assert first["finished_at"] is None
    assert (again.status_code, again.json()["id"]) == (202, first["id"])  # the same run
    assert _wallets(database, coupon) == keen[:2]

    rounds = [give_audience_sends(database, settings) for _ in range(4)]

    assert rounds == [2, 1, 0, 0]  # two members, the last one, then nothing running
    done = client.get(f"{_sends(audience)}/{first['id']}", headers=admin).json()
    assert (done["status"], done["reached"], done["coupons"], done["messages"]) == (
        "done",
        4,
        4,
        4,
    )
    assert done["skipped"] == {"coupons_exhausted": 1}
    assert done["finished_at"] is not None
    assert _wallets(database, coupon) == keen[:4]
    assert _messaged(database, brand) == keen[:4]
    assert len(client.get(_sends(audience), headers=admin).json()) == 1


def test_another_brands_send_is_404_and_an_unknown_one_too(
    database: Database, client: TestClient
) -> None:
    shop = pb.shop(database)
    other = pb.shop(database)
    brand = shop.world.brand.id
    keen = analytics_builders.member(database, brand, marketing=True)
    audience = ab.audience(database, brand, {keen: True})
    mine = ab.audience(database, other.world.brand.id, {})
    sent = client.post(
        _sends(audience), json=_body(None), headers=shop.world.headers("admin")
    ).json()
    theirs = other.world.headers("admin")

    listed = client.get(_sends(audience), headers=theirs)
    read = client.get(f"{_sends(audience)}/{sent['id']}", headers=theirs)
    through_own = client.get(f"{_sends(mine)}/{sent['id']}", headers=theirs)

    assert (listed.status_code, listed.json()["code"]) == (404, "audience_not_found")
    assert (read.status_code, read.json()["code"]) == (404, "audience_not_found")
    assert (through_own.status_code, through_own.json()["code"]) == (
        404,
        "audience_send_not_found",
    )


def test_two_asks_at_once_under_one_key_share_one_running_send(
    database: Database, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sending, "CHUNK", 1)
    shop = pb.shop(database)
    brand = shop.world.brand.id
    keen = sorted(analytics_builders.member(database, brand, marketing=True) for _ in range(3))
    audience = ab.audience(database, brand, dict.fromkeys(keen, True))
    admin = shop.world.headers("admin")
    first = client.post(_sends(audience), json=_body(None), headers=admin).json()
    looked_up = sending._running
    seen: list[int] = []

    def missed_once(session: Any, audience_id: int, key: str) -> Any:
        # The second ask looks before the first has committed: it finds no running send.
        seen.append(audience_id)
        return None if len(seen) == 1 else looked_up(session, audience_id, key)

    monkeypatch.setattr(sending, "_running", missed_once)
    second = client.post(_sends(audience), json=_body(None), headers=admin)

    assert (first["status"], first["reached"]) == ("running", 1)
    assert second.status_code == 202, second.text
    assert second.json()["id"] == first["id"]
    assert len(seen) == 2  # it looked again once the database refused a second running send
    with database.transaction(read_only=True) as session:
        runs = session.scalar(select(func.count()).select_from(AudienceSendRun))
    assert runs == 1


def _statements_of_send(database: Database, audience: int, coupon: int) -> list[str]:
    """The statements of a send given whole in its request (one chunk)."""
    with count_statements(database) as statements, database.transaction() as session:
        run = sending.send_to_audience(
            session=session,
            scope=SYSTEM,
            audience_id=audience,
            data=AudienceSendCreate.model_validate(_body(coupon)),
            now=utcnow(),
        )
        assert (run.status, run.reached) == ("done", run.members)
    return statements


SHARED_BY_A_CHUNK = (
    "FROM coupon_template",
    "FROM brand",
    "FROM notify_policy",
    "FROM notify_channel",
    "UPDATE analytics_audience_send_run",
    "FROM membership WHERE",  # the members themselves (the notifier reads their consents)
)


def test_a_chunk_reads_its_template_members_and_brand_settings_once_not_once_a_member(
    database: Database,
) -> None:
    shop = pb.shop(database)
    brand = shop.world.brand.id
    coupon = pb.template(database, shop)
    keen = sorted(analytics_builders.member(database, brand, marketing=True) for _ in range(6))
    two = ab.audience(database, brand, dict.fromkeys(keen[:2], True))
    six = ab.audience(database, brand, dict.fromkeys(keen[2:], True) | {keen[0]: True})

    small = _statements_of_send(database, two, coupon)
    large = _statements_of_send(database, six, coupon)

    def shared(statements: list[str]) -> list[int]:
        flat = [" ".join(s.split()) for s in statements]
        return [sum(part in s for s in flat) for part in SHARED_BY_A_CHUNK]

    assert shared(large) == shared(small)
    # Each further member: its savepoint and its release, the coupon (the template's guarded
    # count and the row), the message (consents, addresses, the dedupe look, the hourly
    # window's guarded upsert, the row returning itself) and the send row.
    assert (len(large) - len(small)) / 3 == 10
