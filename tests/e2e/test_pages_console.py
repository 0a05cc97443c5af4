"""The console pages: what each role sees, and creating and editing through the forms."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import builders
from tests.e2e.pages_support import login, post_form
from tests.passwords import cheap_hashing

from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.org import service as org_service
from newretail.org.models import District, Region, Store
from newretail.org.schemas import DistrictCreate

pytestmark = pytest.mark.sqlite_only

HOURS = {f"hours_{day}": "10:00-22:00" for day in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


@pytest.fixture
def world(database: Database) -> builders.BrandWorld:
    return builders.brand_world(database)


def _district(database: Database) -> District:
    with database.transaction() as session:
        data = DistrictCreate(code="JAS", name="静安寺商圈", city="上海", lat=31.22, lng=121.44)
        district = org_service.create_district(session=session, scope=SYSTEM, data=data)
        session.expunge(district)
    return district


def _store(database: Database, code: str) -> Store:
    with database.transaction(read_only=True) as session:
        stores, _ = org_service.list_stores(
            session=session, scope=SYSTEM, cursor=None, limit=200, q=code
        )
        [store] = [s for s in stores if s.code == code]
        session.expunge(store)
    return store


def _region(database: Database, region_id: int) -> Region:
    with database.transaction(read_only=True) as session:
        region = org_service.get_region(session=session, scope=SYSTEM, region_id=region_id)
        session.expunge(region)
    return region


def _store_form(world: builders.BrandWorld, **fields: str) -> dict[str, str]:
    return {
        "brand": str(world.brand.id),
        "code": "SH-009",
        "name": "静安嘉里中心店",
        "type": "counter",
        "region_id": str(world.east.id),
        "lat": "31.2243",
        "lng": "121.4462",
        "timezone": "Asia/Shanghai",
        **HOURS,
        **fields,
    }


def test_a_brand_admin_sees_the_region_tree_and_every_store(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.admin)
    page = client.get("/console/stores").text
    for name in (world.hq.name, world.east.name, world.west.name):
        assert name in page
    assert f'data-store="{world.east_store.code}"' in page
    assert f'data-store="{world.west_store.code}"' in page
    assert "新建门店" in page


def test_a_region_manager_sees_only_their_subtree(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.east_manager)
    page = client.get("/console/stores").text
    assert world.east.name in page
    assert world.west.name not in page
    assert f'data-store="{world.east_store.code}"' in page
    assert f'data-store="{world.west_store.code}"' not in page


@pytest.mark.parametrize("who", ["east_guide", "east_cashier"])
def test_guides_and_cashiers_see_only_their_store_and_cannot_edit(
    client: TestClient, world: builders.BrandWorld, who: str
) -> None:
    login(client, getattr(world, who))
    page = client.get("/console/stores").text
    assert f'data-store="{world.east_store.code}"' in page
    assert f'data-store="{world.west_store.code}"' not in page
    assert "/edit" not in page
    assert client.get(f"/console/stores/{world.east_store.id}/edit").status_code == 403


def test_another_brands_store_does_not_exist_for_the_caller(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    other = builders.brand_world(database)
    login(client, world.admin)
    response = client.get(f"/console/stores/{other.east_store.id}/edit")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert client.get(f"/console/stores?brand={other.brand.id}").status_code == 404
    assert client.get(f"/console?brand={other.brand.id}").status_code == 404


def test_a_platform_admin_picks_a_brand_from_the_list(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    login(client, builders.platform_admin(database))
    brands = client.get("/console/stores")
    picked = post_form(
        client, "/console/brand", {"brand": str(world.brand.id), "next": "/console/stores"}
    )
    page = client.get(picked.headers["location"]).text
    assert brands.url.path == "/console/brands"
    assert f'value="{world.brand.id}"' in brands.text
    assert picked.headers["location"] == f"/console/stores?brand={world.brand.id}"
    assert f'data-store="{world.west_store.code}"' in page


def test_a_platform_admin_creates_a_region_in_the_picked_brand(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    login(client, builders.platform_admin(database))
    response = post_form(
        client,
        "/console/regions/new",
        {"brand": str(world.brand.id), "code": "SOUTH", "name": "华南", "parent_id": ""},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/stores?brand={world.brand.id}"


def test_a_region_created_in_the_form_shows_in_the_tree_with_a_message(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.admin)
    response = post_form(
        client,
        "/console/regions/new",
        {"code": "NORTH", "name": "华北大区", "kind": "area", "parent_id": str(world.hq.id)},
    )
    assert response.status_code == 303
    page = client.get("/console/stores").text
    assert "已创建区域“华北大区”。" in page
    assert "华北大区" in page


def test_moving_a_region_under_its_own_child_shows_the_loop_and_changes_nothing(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    login(client, world.admin)
    client.headers["Accept-Language"] = "en"
    response = post_form(
        client,
        f"/console/regions/{world.hq.id}/edit",
        {"name": "Renamed HQ", "kind": "hq", "parent_id": str(world.east.id)},
    )
    assert response.status_code == 422
    assert "A region cannot be placed under itself or one of its sub-regions." in response.text
    assert 'value="Renamed HQ"' in response.text
    region = _region(database, world.hq.id)
    assert (region.parent_id, region.name) == (None, world.hq.name)


def test_a_region_manager_cannot_make_a_top_level_region(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.east_manager)
    response = post_form(
        client, "/console/regions/new", {"code": "TOP", "name": "顶级", "parent_id": ""}
    )
    assert response.status_code == 422
    assert "只有品牌管理员可以把区域设为顶级。" in response.text


def test_a_store_created_in_the_form_has_what_was_typed(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    district = _district(database)
    login(client, world.admin)
    fields = _store_form(
        world,
        district_id=str(district.id),
        hours_sat="10:00-14:00, 17:00-23:30",
        address="南京西路",
    )
    response = post_form(client, "/console/stores/new", fields)
    assert response.status_code == 303, response.text
    store = _store(database, "SH-009")
    assert (store.name, store.type, store.region_id) == ("静安嘉里中心店", "counter", world.east.id)
    assert store.district_id == district.id
    assert store.opening_hours["sat"] == [["10:00", "14:00"], ["17:00", "23:30"]]
    assert "sun" not in store.opening_hours
    assert "静安寺商圈" in client.get("/console/stores").text


def test_a_refused_store_keeps_the_typed_values_and_names_each_problem(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.admin)
    fields = _store_form(world, lat="95", hours_tue="9点到10点", name="新店")
    response = post_form(client, "/console/stores/new", fields)
    assert response.status_code == 422
    assert "请输入 -90 到 90 之间的纬度。" in response.text
    assert "请按 HH:MM-HH:MM 格式填写" in response.text
    assert 'value="9点到10点"' in response.text
    assert 'value="新店"' in response.text


def test_a_taken_store_code_is_shown_on_the_code_field(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.admin)
    response = post_form(
        client, "/console/stores/new", _store_form(world, code=world.west_store.code)
    )
    assert response.status_code == 409
    assert "本品牌已有门店使用此编码。" in response.text


def test_a_store_manager_edits_their_store_without_moving_it(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    login(client, world.east_store_manager)
    form = client.get(f"/console/stores/{world.east_store.id}/edit").text
    assert 'name="region_id" disabled' in form
    fields = {
        "name": "改名后的门店",
        "type": "direct",
        "status": "closed",
        "lat": str(world.east_store.lat),
        "lng": str(world.east_store.lng),
        "timezone": "Asia/Shanghai",
        "hours_mon": "10:00-22:00",
    }
    response = post_form(client, f"/console/stores/{world.east_store.id}/edit", fields)
    assert response.status_code == 303, response.text
    store = _store(database, world.east_store.code)
    assert (store.name, store.status, store.region_id) == ("改名后的门店", "closed", world.east.id)


def test_an_edit_with_an_empty_name_is_refused(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    login(client, world.admin)
    fields = {"name": " ", "type": "direct", "status": "open", "lat": "31", "lng": "121"}
    response = post_form(client, f"/console/stores/{world.east_store.id}/edit", fields)
    assert response.status_code == 422
    assert "此项为必填项。" in response.text
    assert _store(database, world.east_store.code).name == world.east_store.name


def test_a_form_without_its_csrf_token_creates_nothing(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    login(client, world.admin)
    response = client.post(
        "/console/regions/new", data={"code": "X1", "name": "X", "parent_id": str(world.hq.id)}
    )
    assert response.status_code == 403
    assert "表单已过期" in response.text
    with database.transaction(read_only=True) as session:
        codes = session.scalars(select(Region.code).where(Region.brand_id == world.brand.id))
        assert "X1" not in set(codes)


def test_a_malformed_query_gets_an_html_error_page(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.admin)
    response = client.get("/console/stores?type=castle")
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]
