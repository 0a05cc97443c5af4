"""Product pictures through the catalog service: who may add them, and what is written."""

import io
from pathlib import Path

import pytest
from PIL import Image
from tests import builders

from newretail.catalog import errors
from newretail.catalog import service as catalog_service
from newretail.db import Database
from newretail.kernel.errors import PermissionDenied
from newretail.kernel.scope import Role, Scope

LIMIT = 1_000_000


@pytest.fixture
def media(tmp_path: Path) -> Path:
    return tmp_path / "media"


def picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def staff(role: Role, brand_id: int) -> Scope:
    return Scope(actor_type="staff", actor_id=1, roles=frozenset({role}), brand_id=brand_id)


def _add(database: Database, scope: Scope, product_id: int, root: Path) -> list[str]:
    storage = catalog_service.LocalImageStorage(root, "/media")
    with database.transaction() as session:
        product = catalog_service.add_product_image(
            session=session,
            scope=scope,
            product_id=product_id,
            data=picture(),
            storage=storage,
            max_bytes=LIMIT,
        )
        return list(product.images)


def test_a_brand_admin_adds_a_picture_once_however_often_it_is_uploaded(
    database: Database, media: Path
) -> None:
    with database.transaction() as session:
        brand = builders.brand(session)
        product_id = builders.product(session, brand.id).id
    admin = staff(Role.BRAND_ADMIN, brand.id)

    first = _add(database, admin, product_id, media)
    again = _add(database, admin, product_id, media)

    assert first == again and len(first) == 1 and first[0].startswith("/media/")
    assert len([p for p in media.rglob("*") if p.is_file()]) == 1


def test_a_store_manager_may_not_add_a_picture_and_nothing_is_stored(
    database: Database, media: Path
) -> None:
    with database.transaction() as session:
        brand = builders.brand(session)
        product_id = builders.product(session, brand.id).id

    with pytest.raises(PermissionDenied):
        _add(database, staff(Role.STORE_MANAGER, brand.id), product_id, media)
    assert not media.exists()


def test_another_brands_product_does_not_exist_for_the_caller(
    database: Database, media: Path
) -> None:
    with database.transaction() as session:
        mine, theirs = builders.brand(session), builders.brand(session)
        product_id = builders.product(session, theirs.id).id

    with pytest.raises(errors.ProductNotFound):
        _add(database, staff(Role.BRAND_ADMIN, mine.id), product_id, media)
    assert not media.exists()
