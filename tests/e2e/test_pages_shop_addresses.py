"""The address book on the cloud store's "me" page, and saved addresses at checkout."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import builders, order_builders
from tests.e2e import shop_support
from tests.e2e.shop_support import add_to_cart, sign_in

from newretail.db import Database
from newretail.members import service as members_service
from newretail.members.models import ConsumerAddress
from newretail.members.schemas import AddressFields
from newretail.orders.models import Order

pytestmark = pytest.mark.sqlite_only

PHONE, OTHER_PHONE = "13912345671", "13912345672"
HOME = {
    "recipient": "Li Lei",
    "phone": "139 1234 0001",
    "region": "Shanghai",
    "city": "Shanghai",
    "district": "Huangpu",
    "line": "1 Nanjing Road",
}
WORK = {**HOME, "recipient": "Han Meimei", "district": "Jing'an", "line": "88 Yan'an Road"}


@pytest.fixture
def sender(client: TestClient) -> members_service.MemoryOtpSender:
    memory = members_service.MemoryOtpSender()
    client.app.state.otp_sender = memory  # type: ignore[attr-defined]
    client.headers["Accept-Language"] = "en"
    return memory


def _book(database: Database) -> list[tuple[str, str, bool]]:
    with database.transaction(read_only=True) as session:
        rows = session.scalars(select(ConsumerAddress).order_by(ConsumerAddress.id))
        return [(a.recipient, a.phone, a.is_default) for a in rows]


def _ids(database: Database) -> list[int]:
    with database.transaction(read_only=True) as session:
        return list(session.scalars(select(ConsumerAddress.id).order_by(ConsumerAddress.id)))


def _add(client: TestClient, path: str, token: str, fields: dict[str, str]) -> int:
    return client.post(
        f"{path}/me/addresses", data={**fields, "csrf_token": token}, follow_redirects=False
    ).status_code


def test_a_shopper_adds_edits_makes_default_and_deletes_addresses(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    path = shop_support.base(order_builders.shop(database))
    token = sign_in(client, path, sender, PHONE)
    statuses = [_add(client, path, token, HOME), _add(client, path, token, WORK)]
    home_id, work_id = _ids(database)
    listed = client.get(f"{path}/me/addresses")
    me = client.get(f"{path}/me")
    edit = client.get(f"{path}/me/addresses/{work_id}")
    client.post(
        f"{path}/me/addresses/{work_id}",
        data={**WORK, "recipient": "Han M.", "csrf_token": token},
    )
    client.post(f"{path}/me/addresses/{work_id}/default", data={"csrf_token": token})
    after_default = _book(database)
    client.post(f"{path}/me/addresses/{work_id}/delete", data={"csrf_token": token})
    assert statuses == [303, 303]
    assert listed.text.count('data-testid="address"') == 2
    assert 'data-testid="me-default-address">Li Lei · Shanghai Shanghai Huangpu' in me.text
    assert 'value="Han Meimei"' in edit.text and 'value="13912340001"' in edit.text
    assert after_default == [
        ("Li Lei", "+8613912340001", False),
        ("Han M.", "+8613912340001", True),
    ]
    assert _book(database) == [("Li Lei", "+8613912340001", True)]
    assert home_id != work_id


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"recipient": ""}, "recipient", "This field is required."),
        ({"phone": "12345"}, "phone", "Please enter a valid mobile number."),
        ({"line": "x" * 301}, "line", "This is too long."),
        ({"district": ""}, "district", "This field is required."),
    ],
)
def test_bad_input_is_answered_with_a_message_and_nothing_is_saved(
    client: TestClient,
    database: Database,
    sender: members_service.MemoryOtpSender,
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    path = shop_support.base(order_builders.shop(database))
    token = sign_in(client, path, sender, PHONE)
    answer = client.post(f"{path}/me/addresses", data={**HOME, **change, "csrf_token": token})
    assert answer.status_code == 422
    assert f'<p class="field__error" id="{field}-error">{message}</p>' in answer.text
    assert _book(database) == []


def test_a_nul_character_is_refused_and_nothing_is_saved(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    path = shop_support.base(order_builders.shop(database))
    token = sign_in(client, path, sender, PHONE)
    answer = client.post(
        f"{path}/me/addresses", data={**HOME, "line": "1\x00 Road", "csrf_token": token}
    )
    assert answer.status_code == 422
    assert _book(database) == []


def test_another_consumers_address_is_not_found_and_stays_as_it_was(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    path = shop_support.base(order_builders.shop(database))
    token = sign_in(client, path, sender, OTHER_PHONE)
    _add(client, path, token, HOME)
    [theirs] = _ids(database)
    client.cookies.clear()
    token = sign_in(client, path, sender, PHONE)
    answers = [
        client.get(f"{path}/me/addresses/{theirs}").status_code,
        client.post(
            f"{path}/me/addresses/{theirs}", data={**WORK, "csrf_token": token}
        ).status_code,
        client.post(
            f"{path}/me/addresses/{theirs}/default", data={"csrf_token": token}
        ).status_code,
        client.post(f"{path}/me/addresses/{theirs}/delete", data={"csrf_token": token}).status_code,
        client.get(f"{path}/me/addresses/{2**63}").status_code,
    ]
    listed = client.get(f"{path}/me/addresses")
    assert answers == [404, 404, 404, 404, 404]
    assert 'data-testid="no-addresses"' in listed.text
    assert _book(database) == [("Li Lei", "+8613912340001", True)]


def test_an_address_kept_with_another_brand_is_not_found_in_this_brands_store(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    path = shop_support.base(shop)
    token = sign_in(client, path, sender, PHONE)
    other = builders.brand_world(database)
    with database.transaction() as session:
        consumer_id, _ = members_service.consumer_for_phone(
            session=session, phone="+86" + PHONE, verified=True
        )
        elsewhere = members_service.add_address(
            session=session,
            scope=order_builders.consumer_scope(consumer_id),
            brand_id=other.brand.id,
            data=AddressFields.model_validate(HOME),
        ).id
    page = client.get(f"{path}/me/addresses/{elsewhere}")
    listed = client.get(f"{path}/me/addresses")
    deleted = client.post(f"{path}/me/addresses/{elsewhere}/delete", data={"csrf_token": token})
    assert (page.status_code, deleted.status_code) == (404, 404)
    assert 'data-testid="no-addresses"' in listed.text
    assert len(_book(database)) == 1


def test_checkout_preselects_the_default_address_and_delivers_to_it(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    path = shop_support.base(shop)
    token = sign_in(client, path, sender, PHONE)
    _add(client, path, token, HOME)
    _add(client, path, token, {**WORK, "is_default": "1"})
    home_id, work_id = _ids(database)
    add_to_cart(client, path, token, shop.skus[0])
    form = client.get(f"{path}/checkout")
    placed = client.post(
        f"{path}/checkout",
        data={"method": "same_city", "address_id": str(work_id), "csrf_token": token},
        follow_redirects=False,
    )
    order_id = shop_support.order_id_of(placed.headers["location"])
    page = client.get(f"{path}/orders/{order_id}")
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        assert order is not None
        address = order.address
    assert f'value="{work_id}" checked data-testid="saved-address"' in form.text
    assert f'value="{home_id}" data-testid="saved-address"' in form.text
    assert address is not None
    assert (address["name"], address["phone"]) == ("Han Meimei", "+8613912340001")
    assert address["line1"] == "Shanghai Shanghai Jing'an 88 Yan'an Road"
    assert "Han Meimei 13912340001 · Shanghai Shanghai Jing&#39;an 88 Yan&#39;an Road" in page.text


def test_checkout_keeps_a_new_address_when_asked(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    path = shop_support.base(shop)
    token = sign_in(client, path, sender, PHONE)
    add_to_cart(client, path, token, shop.skus[0])
    new = {k: HOME[k] for k in ("phone", "region", "city", "district")}
    placed = client.post(
        f"{path}/checkout",
        data={
            "method": "same_city",
            "name": "Li Lei",
            "line1": HOME["line"],
            "save_address": "1",
            "csrf_token": token,
            **new,
        },
        follow_redirects=False,
    )
    assert placed.status_code == 303
    assert _book(database) == [("Li Lei", "+8613912340001", True)]


def test_checkout_with_an_incomplete_address_to_keep_saves_nothing(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    path = shop_support.base(shop)
    token = sign_in(client, path, sender, PHONE)
    add_to_cart(client, path, token, shop.skus[0])
    refused = client.post(
        f"{path}/checkout",
        data={
            "method": "same_city",
            "name": "Li Lei",
            "phone": HOME["phone"],
            "line1": HOME["line"],
            "save_address": "1",
            "csrf_token": token,
        },
    )
    with database.transaction(read_only=True) as session:
        orders = list(session.scalars(select(Order.id)))
    assert refused.status_code == 422
    assert "also its province, city and district" in refused.text
    assert (orders, _book(database)) == ([], [])


def test_checkout_with_another_consumers_address_id_places_nothing(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    path = shop_support.base(shop)
    token = sign_in(client, path, sender, OTHER_PHONE)
    _add(client, path, token, HOME)
    [theirs] = _ids(database)
    client.cookies.clear()
    token = sign_in(client, path, sender, PHONE)
    add_to_cart(client, path, token, shop.skus[0])
    refused = client.post(
        f"{path}/checkout",
        data={"method": "same_city", "address_id": str(theirs), "csrf_token": token},
    )
    with database.transaction(read_only=True) as session:
        orders = list(session.scalars(select(Order.id)))
    assert refused.status_code == 404
    assert "This address does not exist in your address book." in refused.text
    assert orders == []
