"""Categories, main products (SPU) and SKUs: the part of the catalog that never varies.

Who may do what: any staff of a brand reads its catalog; brand admins and integration
keys (and the platform) write categories, products and SKUs. Another brand's rows do not
exist for the caller (``NotFound``).
"""

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.catalog import errors
from newretail.catalog.models import Category, Product, Sku
from newretail.catalog.schemas import (
    CategoryCreate,
    CategoryUpdate,
    ProductCreate,
    ProductUpdate,
    SkuCreate,
    SkuRead,
    SkuUpdate,
)
from newretail.kernel import search, visibility
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.org import rules as org_rules
from newretail.org import service as org_service
from newretail.outbox import service as outbox_service

WRITERS = (Role.BRAND_ADMIN, Role.INTEGRATION)


T = TypeVar("T")


def _brand_filter(query: Select[T], scope: Scope, brand_column: Any) -> Select[T]:
    """The catalogue is the whole brand's: every member of its staff sees all of it."""
    ladder = visibility.Ladder(brand=brand_column, brand_staff_see_all=True)
    return visibility.restrict(query, scope, ladder)


# ---- categories -----------------------------------------------------------------------


def get_category(*, session: Session, scope: Scope, category_id: int) -> Category:
    query = _brand_filter(select(Category), scope, Category.brand_id)
    category = session.scalar(query.where(Category.id == category_id))
    if category is None:
        raise errors.CategoryNotFound()
    return category


def list_categories(
    *, session: Session, scope: Scope, cursor: str | None, limit: int, parent_id: int | None = None
) -> tuple[list[Category], str | None]:
    query = _brand_filter(select(Category), scope, Category.brand_id)
    if parent_id is not None:
        query = query.where(Category.parent_id == parent_id)
    return paginate(session=session, query=query, id_column=Category.id, cursor=cursor, limit=limit)


def _check_category_parent(
    session: Session, scope: Scope, brand_id: int, parent_id: int | None
) -> None:
    if parent_id is None:
        return
    parent = get_category(session=session, scope=scope, category_id=parent_id)
    if parent.brand_id != brand_id:
        raise errors.CategoryNotFound()


def create_category(*, session: Session, scope: Scope, data: CategoryCreate) -> Category:
    scope.require(*WRITERS)
    brand_id = scope.target_brand(data.brand_id)
    org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    _check_category_parent(session, scope, brand_id, data.parent_id)
    taken = exists().where(Category.brand_id == brand_id, Category.code == data.code)
    if session.scalar(select(taken)):
        raise errors.CategoryCodeTaken()
    category = Category(brand_id=brand_id, **data.model_dump(exclude={"brand_id"}))
    session.add(category)
    session.flush()
    return category


def update_category(
    *, session: Session, scope: Scope, category_id: int, data: CategoryUpdate
) -> Category:
    category = get_category(session=session, scope=scope, category_id=category_id)
    scope.require(*WRITERS)
    changes = data.model_dump(exclude_unset=True)
    if "parent_id" in changes and changes["parent_id"] != category.parent_id:
        new_parent = changes["parent_id"]
        _check_category_parent(session, scope, category.brand_id, new_parent)
        rows = session.execute(
            select(Category.id, Category.parent_id).where(Category.brand_id == category.brand_id)
        )
        parent_of = {node: parent for node, parent in rows}
        if org_rules.would_create_cycle(category.id, new_parent, parent_of):
            raise errors.CategoryCycle()
        category.parent_id = new_parent
    if changes.get("name") is not None:
        category.name = changes["name"]
    session.flush()
    return category


def delete_category(*, session: Session, scope: Scope, category_id: int) -> None:
    category = get_category(session=session, scope=scope, category_id=category_id)
    scope.require(*WRITERS)
    has_child = session.scalar(select(exists().where(Category.parent_id == category.id)))
    has_product = session.scalar(select(exists().where(Product.category_id == category.id)))
    if has_child or has_product:
        raise errors.CategoryNotEmpty()
    session.delete(category)
    session.flush()


def category_subtree_ids(*, session: Session, brand_id: int, category_id: int) -> set[int]:
    """The category and every category under it."""
    children: dict[int, list[int]] = {}
    rows = session.execute(
        select(Category.id, Category.parent_id).where(Category.brand_id == brand_id)
    )
    for node, parent in rows:
        if parent is not None:
            children.setdefault(parent, []).append(node)
    return org_rules.subtree({category_id}, children)


# ---- products -------------------------------------------------------------------------


def get_product(*, session: Session, scope: Scope, product_id: int) -> Product:
    query = _brand_filter(select(Product), scope, Product.brand_id)
    product = session.scalar(query.where(Product.id == product_id))
    if product is None:
        raise errors.ProductNotFound()
    return product


def list_products(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    category_id: int | None = None,
    status: str | None = None,
    q: str | None = None,
) -> tuple[list[Product], str | None]:
    """Products in the caller's brand; ``category_id`` includes its whole subtree."""
    query = _brand_filter(select(Product), scope, Product.brand_id)
    if category_id is not None:
        category = get_category(session=session, scope=scope, category_id=category_id)
        ids = category_subtree_ids(
            session=session, brand_id=category.brand_id, category_id=category.id
        )
        query = query.where(Product.category_id.in_(ids))
    if status is not None:
        query = query.where(Product.status == status)
    if q:
        query = query.where(search.contains(Product.title, q) | search.contains(Product.code, q))
    return paginate(session=session, query=query, id_column=Product.id, cursor=cursor, limit=limit)


def _check_category(session: Session, scope: Scope, brand_id: int, category_id: int | None) -> None:
    if category_id is not None:
        category = get_category(session=session, scope=scope, category_id=category_id)
        if category.brand_id != brand_id:
            raise errors.CategoryNotFound()


def create_product(*, session: Session, scope: Scope, data: ProductCreate) -> Product:
    scope.require(*WRITERS)
    brand_id = scope.target_brand(data.brand_id)
    org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    _check_category(session, scope, brand_id, data.category_id)
    taken = exists().where(Product.brand_id == brand_id, Product.code == data.code)
    if session.scalar(select(taken)):
        raise errors.ProductCodeTaken()
    product = Product(brand_id=brand_id, **data.model_dump(exclude={"brand_id"}))
    session.add(product)
    session.flush()
    audit_service.write(
        session=session,
        scope=scope,
        action="product.created",
        target_type="product",
        target_id=product.id,
        brand_id=brand_id,
        details={"code": product.code},
    )
    return product


def update_product(
    *, session: Session, scope: Scope, product_id: int, data: ProductUpdate
) -> Product:
    product = get_product(session=session, scope=scope, product_id=product_id)
    scope.require(*WRITERS)
    changes = data.model_dump(exclude_unset=True)
    if "category_id" in changes:
        _check_category(session, scope, product.brand_id, changes["category_id"])
        product.category_id = changes.pop("category_id")
    nullable = {"video"}
    for field, value in changes.items():
        if value is not None or field in nullable:
            setattr(product, field, value)
    session.flush()
    fields = data.model_dump(exclude_unset=True)
    _audit(session, scope, "product.updated", "product", product.id, product.brand_id, fields)
    return product


def _audit(
    session: Session,
    scope: Scope,
    action: str,
    target_type: str,
    target_id: int,
    brand_id: int,
    changes: dict[str, Any],
) -> None:
    """An audit entry naming the fields a write set (the values are in the row itself)."""
    audit_service.write(
        session=session,
        scope=scope,
        action=action,
        target_type=target_type,
        target_id=target_id,
        brand_id=brand_id,
        details={"fields": sorted(changes)},
    )


# ---- SKUs -----------------------------------------------------------------------------


def get_sku(*, session: Session, scope: Scope, sku_id: int) -> Sku:
    """One SKU the caller may see; another brand's SKU is ``SkuNotFound``."""
    query = _brand_filter(select(Sku), scope, Sku.brand_id)
    sku = session.scalar(query.where(Sku.id == sku_id))
    if sku is None:
        raise errors.SkuNotFound()
    return sku


def get_product_sku(*, session: Session, scope: Scope, product_id: int, sku_id: int) -> Sku:
    """A SKU addressed under its product; under another product it is ``SkuNotFound``."""
    sku = get_sku(session=session, scope=scope, sku_id=sku_id)
    if sku.product_id != product_id:
        raise errors.SkuNotFound()
    return sku


def skus_by_id(*, session: Session, brand_id: int, sku_ids: Iterable[int]) -> dict[int, Sku]:
    """The brand's SKUs among ``sku_ids``, by id; ids of other brands are simply absent."""
    ids = set(sku_ids)
    if not ids:
        return {}
    rows = session.scalars(select(Sku).where(Sku.brand_id == brand_id, Sku.id.in_(ids)))
    return {sku.id: sku for sku in rows}


def sku_categories(
    *, session: Session, brand_id: int, sku_ids: Iterable[int]
) -> dict[int, frozenset[int]]:
    """Each of the brand's SKUs among ``sku_ids`` with its category and that one's ancestors.

    For offers scoped by category: a promotion on "shoes" reaches a SKU filed under
    "running shoes". Two queries whatever the number of SKUs.
    """
    ids = set(sku_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Sku.id, Product.category_id)
        .join(Product, Product.id == Sku.product_id)
        .where(Sku.brand_id == brand_id, Sku.id.in_(ids))
    ).all()
    parents: dict[int, int | None] = {
        category_id: parent_id
        for category_id, parent_id in session.execute(
            select(Category.id, Category.parent_id).where(Category.brand_id == brand_id)
        )
    }
    found: dict[int, frozenset[int]] = {}
    for sku_id, category_id in rows:
        path: list[int] = []
        node = category_id
        while node is not None and node not in path:
            path.append(node)
            node = parents.get(node)
        found[sku_id] = frozenset(path)
    return found


def skus_by_code(*, session: Session, brand_id: int, codes: Iterable[str]) -> dict[str, Sku]:
    """The brand's SKUs among ``codes``, by code."""
    wanted = set(codes)
    if not wanted:
        return {}
    rows = session.scalars(select(Sku).where(Sku.brand_id == brand_id, Sku.code.in_(wanted)))
    return {sku.code: sku for sku in rows}


def find_skus(
    *,
    session: Session,
    brand_id: int,
    barcode: str | None = None,
    q: str | None = None,
    limit: int = 20,
) -> list[tuple[Sku, str]]:
    """The brand's SKUs with this exact ``barcode``, or matching ``q`` (a SKU code or barcode
    beginning with it, or a product title containing it), with their product's title."""
    query = select(Sku, Product.title).join(Product, Product.id == Sku.product_id)
    query = query.where(Sku.brand_id == brand_id)
    if barcode is not None:
        query = query.where(Sku.barcode == barcode)
    if q:
        prefix = f"{search.escape_like(q)}%"
        query = query.where(
            or_(
                Sku.code.ilike(prefix, escape=search.ESCAPE),
                Sku.barcode.like(prefix, escape=search.ESCAPE),
                search.contains(Product.title, q),
            )
        )
    rows = session.execute(query.order_by(Sku.id).limit(max(1, min(limit, 100))))
    return [(sku, str(title)) for sku, title in rows]


def list_skus(
    *, session: Session, scope: Scope, product_id: int, cursor: str | None, limit: int
) -> tuple[list[Sku], str | None]:
    product = get_product(session=session, scope=scope, product_id=product_id)
    query = select(Sku).where(Sku.product_id == product.id)
    return paginate(session=session, query=query, id_column=Sku.id, cursor=cursor, limit=limit)


def _check_barcode(session: Session, brand_id: int, barcode: str | None, sku_id: int = 0) -> None:
    if barcode is None:
        return
    taken = exists().where(Sku.brand_id == brand_id, Sku.barcode == barcode, Sku.id != sku_id)
    if session.scalar(select(taken)):
        raise errors.BarcodeTaken()


def create_sku(*, session: Session, scope: Scope, product_id: int, data: SkuCreate) -> Sku:
    product = get_product(session=session, scope=scope, product_id=product_id)
    scope.require(*WRITERS)
    taken = exists().where(Sku.brand_id == product.brand_id, Sku.code == data.code)
    if session.scalar(select(taken)):
        raise errors.SkuCodeTaken()
    _check_barcode(session, product.brand_id, data.barcode)
    sku = Sku(brand_id=product.brand_id, product_id=product.id, **data.model_dump())
    session.add(sku)
    session.flush()
    _audit(session, scope, "sku.created", "sku", sku.id, sku.brand_id, data.model_dump())
    outbox_service.record(
        session=session,
        brand_id=sku.brand_id,
        type="sku.created",
        resource_type="sku",
        resource_id=sku.id,
        payload=SkuRead.model_validate(sku).model_dump(mode="json"),
    )
    return sku


def update_sku(
    *, session: Session, scope: Scope, product_id: int, sku_id: int, data: SkuUpdate
) -> Sku:
    sku = get_product_sku(session=session, scope=scope, product_id=product_id, sku_id=sku_id)
    scope.require(*WRITERS)
    changes = data.model_dump(exclude_unset=True)
    if "barcode" in changes:
        _check_barcode(session, sku.brand_id, changes["barcode"], sku.id)
        sku.barcode = changes.pop("barcode")
    for field, value in changes.items():
        if value is not None or field == "weight_g":
            setattr(sku, field, value)
    session.flush()
    fields = data.model_dump(exclude_unset=True)
    _audit(session, scope, "sku.updated", "sku", sku.id, sku.brand_id, fields)
    return sku
