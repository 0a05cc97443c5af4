"""Bulk import of products, SKUs and offers from CSV or JSON.

The whole file is parsed and every row validated in Python against lookups loaded up
front (one query each), then the good rows are written with set-based upserts in batches
(``INSERT ... ON CONFLICT DO UPDATE``): no ORM object per row. Modes:

    all_or_nothing  any bad row and nothing is written; the report lists every bad row
    apply_valid     the good rows are written in the caller's one transaction, the bad
                    ones reported

Upsert keys: products by code, SKUs by code, offers by (SKU, channel, region, store). An
imported offer row states the whole offer at its scope: an empty cell is "not set there".
Only brand-wide writers (brand admins, integration keys, the platform) import.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.catalog import rows as row_rules
from newretail.catalog.files import FileFormat, ParsedFile, RawRow, check_columns, parse
from newretail.catalog.models import Category, Offer, Product, Sku
from newretail.catalog.products import WRITERS
from newretail.db import Base, utcnow
from newretail.kernel import upserts
from newretail.kernel.scope import Scope
from newretail.org import errors as org_errors
from newretail.org import service as org_service
from newretail.org.models import Brand
from newretail.outbox import service as outbox_service

BATCH = 2000
Progress = Callable[[str, int, int], None]


class ImportKind(StrEnum):
    PRODUCTS = "products"
    SKUS = "skus"
    OFFERS = "offers"


class ImportMode(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    APPLY_VALID = "apply_valid"


COLUMNS = {
    ImportKind.PRODUCTS: row_rules.PRODUCT_COLUMNS,
    ImportKind.SKUS: row_rules.SKU_COLUMNS,
    ImportKind.OFFERS: row_rules.OFFER_COLUMNS,
}


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    code: str
    detail: str
    column: str | None = None


@dataclass
class ImportReport:
    kind: str
    mode: str
    rows: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    applied: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        """Nothing was written because of bad rows in all-or-nothing mode."""
        return bool(self.errors) and not self.applied

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Checked:
    values: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def import_catalog(
    *,
    session: Session,
    scope: Scope,
    brand_id: int | None,
    kind: ImportKind,
    content: bytes,
    fmt: FileFormat = FileFormat.CSV,
    mode: ImportMode = ImportMode.ALL_OR_NOTHING,
    progress: Progress = _no_progress,
) -> ImportReport:
    """Validate every row of the file, then write the good ones (or none, per ``mode``)."""
    scope.require(*WRITERS)
    brand = org_service.get_brand(
        session=session, scope=scope, brand_id=scope.target_brand(brand_id)
    )
    parsed = parse(content, fmt)
    required = row_rules.REQUIRED[kind] if fmt is FileFormat.CSV else ()
    check_columns(parsed.columns, known=COLUMNS[kind], required=required)
    checked = _VALIDATORS[kind](session, brand, parsed, progress)
    report = ImportReport(kind=kind.value, mode=mode.value, rows=len(parsed.rows))
    report.valid, report.errors = len(checked.values), checked.errors
    if checked.errors and mode is ImportMode.ALL_OR_NOTHING:
        return report
    report.created, report.updated = _WRITERS[kind](session, brand.id, checked.values, progress)
    report.applied = True
    _record(session, scope, brand.id, report)
    return report


def validate_file(
    *, session: Session, brand_id: int, kind: ImportKind, content: bytes, fmt: FileFormat
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Parse and validate a file without writing: the rows as they would be written, and errors."""
    brand = org_service.live_brand(session=session, brand_id=brand_id)
    if brand is None:
        raise org_errors.BrandNotFound()
    checked = _VALIDATORS[kind](session, brand, parse(content, fmt), _no_progress)
    return checked.values, checked.errors


def _record(session: Session, scope: Scope, brand_id: int, report: ImportReport) -> None:
    summary = {
        "kind": report.kind,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "rejected_rows": len(report.errors),
    }
    outbox_service.record(
        session=session,
        brand_id=brand_id,
        type="catalog.imported",
        resource_type="brand",
        resource_id=brand_id,
        payload=summary,
    )
    audit_service.write(
        session=session,
        scope=scope,
        action="catalog.imported",
        target_type="brand",
        target_id=brand_id,
        brand_id=brand_id,
        details=summary,
    )


# ---- validation -----------------------------------------------------------------------


def _codes(
    session: Session, id_col: Any, code_col: Any, brand_col: Any, brand_id: int
) -> dict[str, int]:
    rows = session.execute(select(code_col, id_col).where(brand_col == brand_id))
    return {code: row_id for code, row_id in rows}


def _check_all(
    rows: Sequence[RawRow],
    convert: Callable[[dict[str, Any]], dict[str, Any]],
    key: Callable[[dict[str, Any]], Any],
    progress: Progress,
) -> _Checked:
    """Convert each row, refusing a row whose key repeats an earlier row's."""
    checked = _Checked()
    first_line: dict[Any, int] = {}
    total = len(rows)
    for done, raw in enumerate(rows, start=1):
        if done % BATCH == 0:
            progress("validating", done, total)
        if raw.problem is not None:
            checked.errors.append(RowError(raw.line, "invalid_row", raw.problem))
            continue
        try:
            values = convert(raw.cells)
        except row_rules.RowProblem as problem:
            checked.errors.append(RowError(raw.line, problem.code, problem.detail, problem.column))
            continue
        row_key = key(values)
        if row_key in first_line:
            detail = f"repeats line {first_line[row_key]} (same key)"
            checked.errors.append(RowError(raw.line, "duplicate_row", detail))
            continue
        first_line[row_key] = raw.line
        checked.values.append(values)
    progress("validating", total, total)
    return checked


def _check_offers(
    session: Session, brand: Brand, parsed: ParsedFile, progress: Progress
) -> _Checked:
    lookups = row_rules.OfferLookups(
        brand_id=brand.id,
        currency=brand.currency,
        sku_ids=_codes(session, Sku.id, Sku.code, Sku.brand_id, brand.id),
        store_ids=org_service.store_ids_by_code(session=session, brand_id=brand.id),
        region_ids=org_service.region_ids_by_code(session=session, brand_id=brand.id),
    )
    return _check_all(
        parsed.rows,
        lambda cells: row_rules.offer_row(cells, lookups),
        lambda values: (values["sku_id"], values["scope_key"]),
        progress,
    )


def _check_products(
    session: Session, brand: Brand, parsed: ParsedFile, progress: Progress
) -> _Checked:
    categories = _codes(session, Category.id, Category.code, Category.brand_id, brand.id)
    return _check_all(
        parsed.rows,
        lambda cells: row_rules.product_row(cells, brand_id=brand.id, category_ids=categories),
        lambda values: values["code"],
        progress,
    )


def _check_skus(session: Session, brand: Brand, parsed: ParsedFile, progress: Progress) -> _Checked:
    products = _codes(session, Product.id, Product.code, Product.brand_id, brand.id)
    existing = session.execute(
        select(Sku.code, Sku.product_id, Sku.barcode).where(Sku.brand_id == brand.id)
    )
    product_of: dict[str, int] = {}
    barcode_owner: dict[str, str] = {}
    for code, product_id, barcode in existing:
        product_of[code] = product_id
        if barcode is not None:
            barcode_owner[barcode] = code

    def convert(cells: dict[str, Any]) -> dict[str, Any]:
        values = row_rules.sku_row(cells, brand_id=brand.id, product_ids=products)
        if product_of.get(values["code"], values["product_id"]) != values["product_id"]:
            raise row_rules.RowProblem(
                "sku_product_mismatch", "this SKU code belongs to another product", "product_code"
            )
        owner = barcode_owner.get(values["barcode"] or "", values["code"])
        if owner != values["code"]:
            raise row_rules.RowProblem("barcode_taken", f"barcode used by SKU {owner}", "barcode")
        if values["barcode"] is not None:
            barcode_owner[values["barcode"]] = values["code"]
        return values

    return _check_all(parsed.rows, convert, lambda values: values["code"], progress)


_VALIDATORS: dict[ImportKind, Callable[[Session, Brand, ParsedFile, Progress], _Checked]] = {
    ImportKind.OFFERS: _check_offers,
    ImportKind.PRODUCTS: _check_products,
    ImportKind.SKUS: _check_skus,
}


# ---- writing --------------------------------------------------------------------------


def upsert(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str],
    keep: Iterable[str] = ("id", "created_at"),
    progress: Progress = _no_progress,
) -> None:
    """Insert or update ``rows`` in batches, each an executemany of one prepared statement.

    (A multi-row ``VALUES`` statement per batch was tried on PostgreSQL: compiling it costs
    far more than the round trips it saves, which psycopg pipelines anyway.)
    """
    # the Table, not the mapped class: an ORM insert would take the slower ORM bulk path
    table = cast(Table, model.__table__)
    insert = upserts.insert(session, table)
    fixed = set(keep) | set(conflict)
    changed = {c.name: insert.excluded[c.name] for c in table.columns if c.name not in fixed}
    statement = insert.on_conflict_do_update(index_elements=list(conflict), set_=changed)
    for start in range(0, len(rows), BATCH):
        session.execute(statement, rows[start : start + BATCH])
        progress("writing", min(start + BATCH, len(rows)), len(rows))


def _stamp(rows: list[dict[str, Any]], *, updated: bool = True) -> None:
    now = utcnow()
    for row in rows:
        row["created_at"] = now
        if updated:
            row["updated_at"] = now


def _write_offers(
    session: Session, brand_id: int, rows: list[dict[str, Any]], progress: Progress
) -> tuple[int, int]:
    existing = set(
        session.execute(select(Offer.sku_id, Offer.scope_key).where(Offer.brand_id == brand_id))
    )
    updated = sum((row["sku_id"], row["scope_key"]) in existing for row in rows)
    _stamp(rows)
    upsert(session, Offer, rows, conflict=("sku_id", "scope_key"), progress=progress)
    return len(rows) - updated, updated


def _write_products(
    session: Session, brand_id: int, rows: list[dict[str, Any]], progress: Progress
) -> tuple[int, int]:
    existing = set(session.scalars(select(Product.code).where(Product.brand_id == brand_id)))
    updated = sum(row["code"] in existing for row in rows)
    _stamp(rows)
    upsert(session, Product, rows, conflict=("brand_id", "code"), progress=progress)
    return len(rows) - updated, updated


def _write_skus(
    session: Session, brand_id: int, rows: list[dict[str, Any]], progress: Progress
) -> tuple[int, int]:
    existing = set(session.scalars(select(Sku.code).where(Sku.brand_id == brand_id)))
    updated = sum(row["code"] in existing for row in rows)
    _stamp(rows, updated=False)
    upsert(session, Sku, rows, conflict=("brand_id", "code"), progress=progress)
    return len(rows) - updated, updated


_WRITERS: dict[
    ImportKind, Callable[[Session, int, list[dict[str, Any]], Progress], tuple[int, int]]
] = {
    ImportKind.OFFERS: _write_offers,
    ImportKind.PRODUCTS: _write_products,
    ImportKind.SKUS: _write_skus,
}
