"""The cloud store's "me" page (orders, membership card with a member QR code, guide) and
joining the brand from the order page or the "me" page."""

import re

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
from sqlalchemy import func, select
from tests import order_builders
from tests.e2e.pages_support import csrf_of

from newretail.auth.models import Staff
from newretail.config import Settings
from newretail.db import Database
from newretail.guides.rules import make_share_ref
from newretail.members import service as members_service
from newretail.members.models import MemberBinding, Membership
from newretail.orders.models import Order

pytestmark = pytest.mark.sqlite_only

PHONE = "13912345678"
RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\d+z")


@pytest.fixture
def sender(client: TestClient) -> members_service.MemoryOtpSender:
    memory = members_service.MemoryOtpSender()
    client.app.state.otp_sender = memory  # type: ignore[attr-defined]
    return memory


def _base(shop: order_builders.Shop) -> str:
    return f"/s/{shop.world.brand.code}.{shop.world.east_store.code}"


def _sign_in(client: TestClient, base: str, sender: members_service.MemoryOtpSender) -> str:
    token = csrf_of(client, f"{base}/cart")
    client.post(f"{base}/signin", data={"phone": PHONE, "action": "send", "csrf_token": token})
    client.post(
        f"{base}/signin",
        data={"phone": PHONE, "otp": sender.last("+86" + PHONE), "csrf_token": token},
    )
    return token


def _order(client: TestClient, base: str, token: str, sku: int, ref: str | None = None) -> int:
    query = f"?ref={ref}" if ref else ""
    client.post(f"{base}/cart{query}", data={"sku_id": sku, "csrf_token": token})
    placed = client.post(
        f"{base}/checkout{query}",
        data={"method": "pickup", "csrf_token": token},
        follow_redirects=False,
    )
    return int(re.findall(r"/orders/(\d+)/pay", placed.headers["location"])[0])


def _memberships(database: Database) -> list[tuple[int, int | None]]:
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(Membership.id, MemberBinding.guide_id).outerjoin(
                MemberBinding, MemberBinding.membership_id == Membership.id
            )
        ).all()
    return [(row.id, row.guide_id) for row in rows]


def _decode_qr(html: str) -> list[str]:
    """Draw the card's inline SVG (its dark runs) and read it as a till's scanner would."""
    svg = re.search(r'<svg class="member-card__qr" viewBox="0 0 (\d+) \d+"[^>]*>.*?</svg>', html)
    assert svg is not None
    scale, box = 8, int(svg.group(1))
    image = Image.new("L", (box * scale, box * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, length in RUN.findall(svg.group(0)):
        left, top = int(x) * scale, int(y) * scale
        draw.rectangle((left, top, left + int(length) * scale - 1, top + scale - 1), fill=0)
    return [d.text for d in zxingcpp.read_barcodes(image)]


def test_the_me_page_sends_a_visitor_to_sign_in_and_back(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    base = _base(shop)
    home = client.get(base)
    response = client.get(f"{base}/me", follow_redirects=False)
    code = f"{shop.world.brand.code}.{shop.world.east_store.code}"
    assert f'href="{base}/me" data-testid="tab-me"' in home.text
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"{base}/signin?next=%2Fs%2F{code}%2Fme",
    )


def test_a_signed_in_non_member_sees_orders_and_a_join_button(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    base = _base(shop)
    _sign_in(client, base, sender)
    page = client.get(f"{base}/me")
    assert page.status_code == 200
    assert 'data-testid="me-orders"' in page.text
    assert 'data-testid="join-prompt"' in page.text
    assert 'data-testid="member-card"' not in page.text


def test_joining_from_the_order_page_binds_the_referring_guide_and_shows_the_card(
    client: TestClient,
    database: Database,
    settings: Settings,
    sender: members_service.MemoryOtpSender,
) -> None:
    shop = order_builders.shop(database)
    base = _base(shop)
    guide = shop.world.east_guide
    ref = make_share_ref(secret=settings.secret_key, guide_id=guide.id)
    token = _sign_in(client, base, sender)
    order_id = _order(client, base, token, shop.skus[0], ref)
    before = client.get(f"{base}/orders/{order_id}")
    joined = client.post(
        f"{base}/join", data={"order_id": order_id, "csrf_token": token}, follow_redirects=False
    )
    after = client.get(joined.headers["location"])
    me = client.get(f"{base}/me")
    [(member_id, bound_guide)] = _memberships(database)
    with database.transaction(read_only=True) as session:
        member = session.get(Membership, member_id)
        assert member is not None
        number, store = member.member_no, member.join_store_id
    assert 'data-testid="join-prompt"' in before.text
    assert joined.headers["location"] == f"{base}/orders/{order_id}"
    assert 'data-testid="join-prompt"' not in after.text
    assert (bound_guide, store) == (guide.id, shop.store_id)
    assert 'data-testid="member-card"' in me.text
    assert f'data-testid="member-no">{number}<' in me.text
    assert f'data-testid="guide-name">{guide.display_name}<' in me.text
    assert f'href="{base}" data-testid="guide-store-link"' in me.text
    assert f'href="{base}/me/addresses" data-testid="me-addresses"' in me.text
    assert shop.world.east_store.name in me.text
    assert 'data-testid="join-prompt"' not in me.text
    assert _decode_qr(me.text) == [number]


def test_joining_twice_keeps_one_membership(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    base = _base(shop)
    token = _sign_in(client, base, sender)
    first = client.post(f"{base}/join", data={"csrf_token": token})
    second = client.post(f"{base}/join", data={"csrf_token": token})
    with database.transaction(read_only=True) as session:
        count = session.scalar(select(func.count()).select_from(Membership))
    assert count == 1
    assert (first.status_code, second.status_code) == (200, 200)
    assert 'data-testid="member-card"' in second.text
    assert 'data-testid="guide-name"' not in second.text


def test_joining_needs_the_form_token_and_a_signed_in_consumer(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    base = _base(shop)
    token = csrf_of(client, f"{base}/cart")
    anonymous = client.post(f"{base}/join", data={"csrf_token": token}, follow_redirects=False)
    _sign_in(client, base, sender)
    forged = client.post(f"{base}/join", data={"csrf_token": "x"}, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith(f"{base}/signin")
    assert forged.status_code == 403
    assert _memberships(database) == []


def test_the_card_names_the_starting_tier_in_the_shoppers_language(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    base = _base(shop)
    token = _sign_in(client, base, sender)
    client.post(f"{base}/join", data={"csrf_token": token})
    chinese = client.get(f"{base}/me", headers={"accept-language": "zh-CN"})
    assert 'data-testid="member-tier">普通会员<' in chinese.text


def test_a_buyer_whose_referring_guide_has_left_joins_the_store_without_them(
    client: TestClient,
    database: Database,
    settings: Settings,
    sender: members_service.MemoryOtpSender,
) -> None:
    shop = order_builders.shop(database)
    base = _base(shop)
    guide = shop.world.east_guide
    ref = make_share_ref(secret=settings.secret_key, guide_id=guide.id)
    token = _sign_in(client, base, sender)
    order_id = _order(client, base, token, shop.skus[0], ref)
    with database.transaction() as session:
        staff = session.get(Staff, guide.id)
        assert staff is not None
        staff.is_active = False
    client.post(f"{base}/join", data={"order_id": order_id, "csrf_token": token})
    with database.transaction(read_only=True) as session:
        bound = session.execute(select(MemberBinding.store_id, MemberBinding.guide_id)).all()
    assert [tuple(row) for row in bound] == [(shop.store_id, None)]


def test_an_order_of_someone_else_names_no_guide_for_the_join(
    client: TestClient,
    database: Database,
    settings: Settings,
    sender: members_service.MemoryOtpSender,
) -> None:
    shop = order_builders.shop(database)
    base = _base(shop)
    other = order_builders.consumer(database)
    headers = shop.consumer_headers(other)
    theirs = client.post("/api/v1/orders", json=order_builders.order_body(shop), headers=headers)
    with database.transaction() as session:
        order = session.get(Order, theirs.json()["id"])
        assert order is not None
        order.referring_guide_id = shop.world.east_guide.id
    token = _sign_in(client, base, sender)
    joined = client.post(
        f"{base}/join",
        data={"order_id": theirs.json()["id"], "csrf_token": token},
        follow_redirects=False,
    )
    with database.transaction(read_only=True) as session:
        bound = session.execute(select(MemberBinding.guide_id)).scalars().all()
    assert theirs.status_code == 201
    assert joined.status_code == 303
    assert bound == [None]
