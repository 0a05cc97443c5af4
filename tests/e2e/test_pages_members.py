"""The guide's workbench and the console's member screens, through the pages."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests import member_builders as mb
from tests.e2e.pages_support import login, post_form
from tests.passwords import cheap_hashing

from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import OfferCreate
from newretail.db import Database
from newretail.guides.rules import read_share_ref
from newretail.kernel.scope import SYSTEM
from newretail.members import service as members_service
from newretail.members.binding_rules import BindingMode
from newretail.members.models import MemberBinding

pytestmark = pytest.mark.sqlite_only


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


@pytest.fixture
def world(database: Database) -> builders.BrandWorld:
    return builders.brand_world(database)


def _named_member(
    database: Database, world: builders.BrandWorld, phone: str, name: str, guide_id: int
) -> int:
    consumer_id = mb.consumer(database, phone)
    member_id = mb.scan(
        database, world.brand.id, consumer_id, world.east_store.id, guide_id
    ).member_id
    with database.transaction() as session:
        members_service.set_consumer_name(
            session=session, consumer_id=consumer_id, display_name=name
        )
    return member_id


def test_a_guide_lands_on_the_workbench_after_logging_in(
    client: TestClient, world: builders.BrandWorld
) -> None:
    response = login(client, world.east_guide)
    assert response.headers["location"] == "/g"


def test_a_guide_sees_their_members_with_masked_phones_and_not_another_guides(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    other = mb.guide(database, world.brand.id, world.east_store.id)
    _named_member(database, world, "13812341234", "王思雨", world.east_guide.id)
    _named_member(database, world, "13955556666", "李娜", other.id)
    login(client, world.east_guide)
    page = client.get("/g").text
    assert "王思雨" in page
    assert "138****1234" in page
    assert "13812341234" not in page
    assert "李娜" not in page


def test_a_guide_searches_by_phone_tail(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    _named_member(database, world, "13812341234", "王思雨", world.east_guide.id)
    _named_member(database, world, "13877778888", "张伟", world.east_guide.id)
    login(client, world.east_guide)
    page = client.get("/g", params={"q": "8888"}).text
    assert "张伟" in page
    assert "王思雨" not in page


def test_a_guide_opens_their_members_history_but_not_another_guides_member(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    other = mb.guide(database, world.brand.id, world.east_store.id)
    mine = _named_member(database, world, "13812341234", "王思雨", world.east_guide.id)
    theirs = _named_member(database, world, "13955556666", "李娜", other.id)
    login(client, world.east_guide)
    page = client.get(f"/g/members/{mine}")
    assert page.status_code == 200
    assert "导购工牌码" in page.text
    assert 'data-section="points"' in page.text
    assert client.get(f"/g/members/{theirs}").status_code == 404


def test_a_guide_gets_a_signed_share_link_for_a_product_of_their_store(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    with database.transaction() as session:
        product = builders.product(session, world.brand.id, title="跑步鞋")
        sku = builders.sku(session, world.brand.id, product.id)
        catalog_service.create_offer(
            session=session,
            scope=SYSTEM,
            data=OfferCreate.model_validate({"sku_id": sku.id, "price": 59900, "available": True}),
        )
        product_id = product.id
    login(client, world.east_guide)
    assert "跑步鞋" in client.get("/g/share").text
    page = client.get("/g/share", params={"product": product_id}).text
    prefix = f"/s/{world.brand.code}.{world.east_store.code}/p/{product_id}?ref="
    assert prefix in page
    ref = page.split(prefix, 1)[1].split('"', 1)[0]
    secret = client.app.state.settings.secret_key  # type: ignore[attr-defined]
    assert read_share_ref(secret=secret, ref=ref) == world.east_guide.id


def test_a_store_manager_lists_members_with_full_phones_and_a_guide_filter(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    other = mb.guide(database, world.brand.id, world.east_store.id)
    _named_member(database, world, "13812341234", "王思雨", world.east_guide.id)
    _named_member(database, world, "13955556666", "李娜", other.id)
    login(client, world.east_store_manager)
    page = client.get("/console/members").text
    assert "13812341234" in page
    assert "李娜" in page
    filtered = client.get("/console/members", params={"guide": other.id}).text
    assert "李娜" in filtered
    assert "王思雨" not in filtered


def test_a_cashier_sees_masked_phones_in_the_console(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    _named_member(database, world, "13812341234", "王思雨", world.east_guide.id)
    login(client, world.east_cashier)
    page = client.get("/console/members").text
    assert "138****1234" in page
    assert "13812341234" not in page


def test_a_member_page_shows_the_binding_dates(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    mb.policy(database, world.brand.id, BindingMode.OVERRIDE, protection_days=30, expiry_days=180)
    member_id = _named_member(database, world, "13812341234", "王思雨", world.east_guide.id)
    login(client, world.east_store_manager)
    page = client.get(f"/console/members/{member_id}").text
    assert "data-protected" in page
    assert "保护中" in page
    assert "永不" not in page


def test_a_brand_admin_changes_the_binding_policy(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    login(client, world.admin)
    response = post_form(
        client,
        "/console/binding-policy",
        {
            "brand": str(world.brand.id),
            "mode": "override",
            "protection_days": "15",
            "expiry_days": "90",
        },
    )
    assert response.status_code == 303
    with database.transaction(read_only=True) as session:
        policy = members_service.get_policy(session=session, scope=SYSTEM, brand_id=world.brand.id)
    assert (policy.mode, policy.protection_days, policy.expiry_days) == ("override", 15, 90)


def test_a_store_manager_may_not_change_the_binding_policy(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.east_store_manager)
    assert "只有品牌管理员" in client.get("/console/binding-policy").text
    response = post_form(
        client, "/console/binding-policy", {"mode": "override", "protection_days": "1"}
    )
    assert response.status_code == 403


def test_a_store_manager_moves_a_leaving_guides_members_to_a_colleague(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    colleague = mb.guide(database, world.brand.id, world.east_store.id)
    members = [mb.member(database, world) for _ in range(3)]
    login(client, world.east_store_manager)
    preview = client.get(
        "/console/rebind", params={"guide": world.east_guide.id, "to": colleague.id}
    ).text
    assert 'data-preview-count="3"' in preview
    response = post_form(
        client, "/console/rebind", {"guide": str(world.east_guide.id), "to": str(colleague.id)}
    )
    assert response.status_code == 303
    with database.transaction(read_only=True) as session:
        guides = {session.get(MemberBinding, m).guide_id for m in members}  # type: ignore[union-attr]
    assert guides == {colleague.id}
    assert "3" in client.get(response.headers["location"]).text


def test_a_guide_cannot_open_the_handover(client: TestClient, world: builders.BrandWorld) -> None:
    login(client, world.east_guide, next_path="/console/rebind")
    assert client.get("/console/rebind").status_code == 403
