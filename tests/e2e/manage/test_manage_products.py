"""Products, SKUs and pictures written from the console, through the catalog service."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import builders
from tests.e2e.manage.conftest import UPLOAD_LIMIT
from tests.e2e.manage.manage_support import (
    audit_actions,
    field_error,
    noisy_picture,
    picture,
    post_files,
)
from tests.e2e.pages_support import login, post_form

from newretail.catalog.models import Product, Sku
from newretail.db import Database

pytestmark = pytest.mark.sqlite_only


def _products(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(Product)) or 0)


def _new_product(**fields: str) -> dict[str, str]:
    return {"code": "RUN-9", "title": "疾风 9 跑鞋", "description": "轻。", **fields}


def test_a_brand_admin_creates_a_product_with_a_picture_that_the_console_shows(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)
    image = picture()

    created = post_files(
        client,
        "/console/products/new",
        _new_product(specs="材质: 网布\n鞋底: 橡胶"),
        {"image": ("shoe.png", image, "image/png")},
    )
    page = client.get(created.headers["location"])
    src = re.search(r'data-testid="product-image"', page.text) and re.search(
        r'<img class="product-hero" src="([^"]+)"', page.text
    )
    assert created.status_code == 303
    assert "疾风 9 跑鞋" in page.text and "网布" in page.text
    assert src is not None and src.group(1).startswith("/media/")
    served = client.get(src.group(1))
    assert (served.status_code, served.headers["content-type"]) == (200, "image/png")
    assert served.content == image
    assert audit_actions(database, "product") == ["product.created", "product.image_added"]


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_is_saved(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)

    refused = post_files(
        client,
        "/console/products/new",
        _new_product(),
        {"image": ("shoe.png", b"%PDF-1.7 not a picture at all", "image/png")},
    )

    assert refused.status_code == 422
    assert field_error(refused.text, "image") == "文件不是图片：请上传 JPEG、PNG、WebP 或 GIF。"
    assert 'value="疾风 9 跑鞋"' in refused.text
    assert _products(database) == 0


def test_a_picture_over_the_size_limit_is_refused_and_nothing_is_saved(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)
    large = noisy_picture(UPLOAD_LIMIT + 1)

    refused = post_files(
        client, "/console/products/new", _new_product(), {"image": ("big.png", large, "image/png")}
    )

    assert refused.status_code == 422
    assert field_error(refused.text, "image") == "图片太大。"
    assert _products(database) == 0


def test_pictures_are_added_to_and_removed_from_an_existing_product(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    with database.transaction() as session:
        product_id = builders.product(session, world.brand.id).id
    login(client, world.admin)

    added = post_files(
        client,
        f"/console/products/{product_id}/images",
        {},
        {"image": ("a.jpg", picture(kind="JPEG"), "image/jpeg")},
    )
    edit = client.get(f"/console/products/{product_id}/edit").text
    url = re.search(r'<img class="gallery__img" src="([^"]+)"', edit)
    assert added.status_code == 303 and url is not None
    removed = post_form(
        client, f"/console/products/{product_id}/images/remove", {"url": url.group(1)}
    )
    after = client.get(f"/console/products/{product_id}/edit").text
    assert removed.status_code == 303
    assert 'class="gallery__img"' not in after


def test_editing_a_product_saves_only_what_changed(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    with database.transaction() as session:
        product_id = builders.product(session, world.brand.id, title="旧名").id
    login(client, world.admin)

    saved = post_form(
        client,
        f"/console/products/{product_id}/edit",
        {"title": "新名", "description": "", "category_id": "", "specs": "", "status": "archived"},
    )

    with database.transaction(read_only=True) as session:
        product = session.get(Product, product_id)
        assert product is not None
        assert (product.title, product.status) == ("新名", "archived")
    assert saved.status_code == 303
    assert audit_actions(database, "product") == ["product.created", "product.updated"]


def test_a_bad_specification_line_is_shown_on_its_field(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)

    refused = post_files(client, "/console/products/new", _new_product(specs="只有名字"), {})

    assert refused.status_code == 422
    assert field_error(refused.text, "specs") == "每行写一个“名称: 值”，名称不重复。"
    assert _products(database) == 0


def test_a_store_manager_may_not_write_the_catalog(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    login(client, world.east_store_manager)

    form = client.get("/console/products/new")
    posted = post_files(client, "/console/products/new", _new_product(), {})

    assert (form.status_code, posted.status_code) == (403, 403)
    assert _products(database) == 0


def test_a_sku_is_created_and_edited_with_its_variant(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    with database.transaction() as session:
        product_id = builders.product(session, world.brand.id).id
    login(client, world.admin)

    created = post_form(
        client,
        f"/console/products/{product_id}/skus/new",
        {"code": "RUN-9-BLK-42", "barcode": "6901234567892", "attributes": "colour: 黑\nsize: 42"},
    )
    with database.transaction(read_only=True) as session:
        sku = session.scalar(select(Sku).where(Sku.code == "RUN-9-BLK-42"))
        assert sku is not None and sku.attributes == {"colour": "黑", "size": "42"}
        sku_id = sku.id
    edited = post_form(
        client,
        f"/console/products/{product_id}/skus/{sku_id}/edit",
        {"barcode": "6901234567892", "attributes": "colour: 白\nsize: 42", "weight_g": "350"},
    )
    with database.transaction(read_only=True) as session:
        sku = session.get(Sku, sku_id)
        assert sku is not None and (sku.attributes["colour"], sku.weight_g) == ("白", 350)
    assert (created.status_code, edited.status_code) == (303, 303)
    assert audit_actions(database, "sku") == ["sku.created", "sku.updated"]


def test_a_sku_code_taken_in_the_brand_is_shown_on_its_field(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    with database.transaction() as session:
        product_id = builders.product(session, world.brand.id).id
        taken = builders.sku(session, world.brand.id, product_id).code
    login(client, world.admin)

    refused = post_form(client, f"/console/products/{product_id}/skus/new", {"code": taken})
    bad = post_form(client, f"/console/products/{product_id}/skus/new", {"code": "空 格"})

    assert (refused.status_code, bad.status_code) == (409, 422)
    assert field_error(refused.text, "code") == "本品牌已有其他 SKU 使用此编码。"
    assert field_error(bad.text, "code").startswith("最多 64 个")


def test_a_platform_admin_picks_the_brand_then_creates_its_product(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    login(client, builders.platform_admin(database))

    picker = client.get("/console/products/new", follow_redirects=False)
    form = client.get(f"/console/products/new?brand={world.brand.id}")
    created = post_files(
        client, "/console/products/new", _new_product(brand=str(world.brand.id)), {}
    )

    assert picker.status_code == 303
    assert picker.headers["location"].startswith("/console/brands?next=")
    assert form.status_code == 200
    assert created.status_code == 303
    with database.transaction(read_only=True) as session:
        product = session.scalar(select(Product).where(Product.code == "RUN-9"))
        assert product is not None and product.brand_id == world.brand.id
