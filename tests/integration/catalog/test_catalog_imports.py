import json
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from tests import builders

from newretail.catalog import files
from newretail.catalog import service as catalog_service
from newretail.catalog.models import Offer, Product, Sku
from newretail.catalog.service import FileFormat, ImportKind, ImportMode, ImportReport
from newretail.db import Database
from newretail.kernel.scope import SYSTEM

HEADER = "sku_code,channel,region_code,store_code,currency,price,compare_at_price,available\n"


@dataclass
class Brand:
    id: int
    region_code: str
    store_code: str
    other_store_code: str


def brand_with_skus(database: Database) -> Brand:
    """A brand with SKUs K1, K2 and a store; another brand with a store of its own."""
    with database.transaction() as session:
        brand = builders.brand(session)
        region = builders.region(session, brand.id)
        store = builders.store(session, brand.id, region.id)
        product = builders.product(session, brand.id)
        for code in ("K1", "K2"):
            builders.sku(session, brand.id, product.id, code=code)
        other = builders.brand(session)
        other_store = builders.store(session, other.id, builders.region(session, other.id).id)
        return Brand(brand.id, region.code, store.code, other_store.code)


def run(
    database: Database,
    brand_id: int,
    content: str | bytes,
    kind: ImportKind = ImportKind.OFFERS,
    mode: ImportMode = ImportMode.ALL_OR_NOTHING,
    fmt: FileFormat = FileFormat.CSV,
) -> ImportReport:
    raw = content.encode() if isinstance(content, str) else content
    with database.transaction() as session:
        return catalog_service.import_catalog(
            session=session,
            scope=SYSTEM,
            brand_id=brand_id,
            kind=kind,
            content=raw,
            fmt=fmt,
            mode=mode,
        )


def offer_count(database: Database, brand_id: int) -> int:
    with database.transaction(read_only=True) as session:
        return session.scalar(select(func.count()).where(Offer.brand_id == brand_id)) or 0


def test_offers_import_at_every_level_and_reimport_updates(database: Database) -> None:
    b = brand_with_skus(database)
    content = HEADER + (
        "K1,,,,CNY,29900,39900,\n"
        "K1,pos,,,,25900,,\n"
        f"K1,,{b.region_code},,,24900,,\n"
        f"K1,,,{b.store_code},,,,false\n"
        f"K2,livestream,,{b.store_code},CNY,19900,,true\n"
    )
    first = run(database, b.id, content)
    assert (first.rows, first.created, first.updated, first.errors) == (5, 5, 0, [])
    again = run(database, b.id, content.replace("29900", "28800"))
    assert (again.created, again.updated) == (0, 5)
    with database.transaction(read_only=True) as session:
        prices = set(session.scalars(select(Offer.price).where(Offer.brand_id == b.id)))
        levels = {catalog_service.offer_read(o).level for o in session.scalars(select(Offer))}
    assert prices == {28800, 25900, 24900, None, 19900}
    assert levels == {"brand", "channel", "region", "store", "store_channel"}


BAD_ROWS = [
    ("K9,,,,,100,,", "unknown_sku"),
    ("K1,,,NOPE,,100,,", "unknown_store"),
    ("K1,,,{other},,100,,", "unknown_store"),
    ("K1,,NOPE,,,100,,", "unknown_region"),
    ("K1,,,,USD,100,,", "currency_mismatch"),
    ("K1,,,,,-5,,", "invalid_price"),
    ("K1,,,,,12.5,,", "invalid_price"),
    ("K1,,,,,100,50,", "invalid_price"),
    ("K1,teleshop,,,,100,,", "invalid_channel"),
    ("K1,,,,,100,,maybe", "invalid_value"),
    ("K1,pos,{region},,,100,,", "invalid_offer_scope"),
    (",,,,,100,,", "missing_value"),
    ("K1,,,,,100", "invalid_row"),
]


@pytest.mark.parametrize(("row", "code"), BAD_ROWS)
def test_a_bad_row_is_reported_with_its_line_and_code_and_nothing_is_applied(
    database: Database, row: str, code: str
) -> None:
    b = brand_with_skus(database)
    bad = row.format(other=b.other_store_code, region=b.region_code)
    report = run(database, b.id, HEADER + "K1,,,,,100,,\n" + bad + "\nK2,,,,,100,,\n")
    assert [(e.line, e.code) for e in report.errors] == [(3, code)]
    assert (report.applied, report.rejected, report.valid) == (False, True, 2)
    assert offer_count(database, b.id) == 0


def test_apply_valid_writes_the_good_rows_and_reports_the_bad(database: Database) -> None:
    b = brand_with_skus(database)
    content = HEADER + "K1,,,,,100,,\nK9,,,,,100,,\nK2,,,,,-1,,\nK2,,,,,200,,\n"
    report = run(database, b.id, content, mode=ImportMode.APPLY_VALID)
    assert [(e.line, e.code) for e in report.errors] == [(3, "unknown_sku"), (4, "invalid_price")]
    assert (report.applied, report.created) == (True, 2)
    assert offer_count(database, b.id) == 2


def test_a_repeated_scope_in_one_file_is_a_duplicate_row(database: Database) -> None:
    b = brand_with_skus(database)
    report = run(database, b.id, HEADER + "K1,pos,,,,100,,\nK2,,,,,1,,\nK1,pos,,,,200,,\n")
    assert [(e.line, e.code, e.detail) for e in report.errors] == [
        (4, "duplicate_row", "repeats line 2 (same key)")
    ]


def test_line_numbers_count_quoted_line_breaks(database: Database) -> None:
    b = brand_with_skus(database)
    content = 'sku_code,title,price\nK1,"two\nlines",100\nK9,x,100\n'
    report = run(database, b.id, content)
    assert [(e.line, e.code) for e in report.errors] == [(4, "unknown_sku")]


def test_a_file_with_broken_encoding_is_refused_whole(database: Database) -> None:
    b = brand_with_skus(database)
    with pytest.raises(files.BadEncoding) as refused:
        run(database, b.id, HEADER.encode() + b"K1,,,,,100,,\nK2,\xff\xfe,,,,1,,\n")
    assert refused.value.code == "bad_encoding"
    assert "line 3" in refused.value.detail
    assert offer_count(database, b.id) == 0


def test_a_file_missing_a_required_column_is_refused(database: Database) -> None:
    b = brand_with_skus(database)
    with pytest.raises(files.MissingColumn) as refused:
        run(database, b.id, "channel,price\npos,100\n")
    assert refused.value.code == "missing_column"
    assert "sku_code" in refused.value.detail


def test_a_misspelt_column_is_refused(database: Database) -> None:
    b = brand_with_skus(database)
    with pytest.raises(files.UnknownColumn) as refused:
        run(database, b.id, "sku_code,prcie\nK1,100\n")
    assert "prcie" in refused.value.detail


def test_a_csv_with_a_byte_order_mark_and_crlf_lines_imports(database: Database) -> None:
    b = brand_with_skus(database)
    report = run(database, b.id, "\ufeffsku_code,price\r\nK1,100\r\nK2,200\r\n")
    assert (report.created, report.errors) == (2, [])


def test_json_offers_import_with_item_numbers_for_errors(database: Database) -> None:
    b = brand_with_skus(database)
    items = [
        {"sku_code": "K1", "price": 100, "images": ["https://img/1.jpg"], "available": True},
        {"sku_code": "K2", "price": 1.5},
        {"sku_code": "K2", "store_code": b.store_code, "per_order_limit": 0},
        "not an object",
    ]
    report = run(database, b.id, json.dumps(items), fmt=FileFormat.JSON)
    assert [(e.line, e.code) for e in report.errors] == [
        (2, "invalid_price"),
        (3, "invalid_quantity"),
        (4, "invalid_row"),
    ]
    assert offer_count(database, b.id) == 0


def test_products_and_skus_import_then_export_round_trips(database: Database) -> None:
    b = brand_with_skus(database)
    with database.transaction() as session:
        builders.category(session, b.id, code="TOPS")
    products = (
        "code,title,category_code,specs,images,status\n"
        'TEE,Cotton tee,TOPS,"{""fit"": ""loose""}",https://a/1.jpg|https://a/2.jpg,active\n'
    )
    skus = (
        'product_code,code,barcode,weight_g,attributes\nTEE,TEE-S,690001,180,"{""size"": ""S""}"\n'
    )
    assert run(database, b.id, products, kind=ImportKind.PRODUCTS).created == 1
    assert run(database, b.id, skus, kind=ImportKind.SKUS).created == 1
    with database.transaction(read_only=True) as session:
        tee = session.scalar(select(Product).where(Product.code == "TEE"))
        tee_s = session.scalar(select(Sku).where(Sku.code == "TEE-S"))
        assert tee is not None and tee_s is not None
        assert (tee.specs, tee.images) == ({"fit": "loose"}, ["https://a/1.jpg", "https://a/2.jpg"])
        assert (tee_s.product_id, tee_s.attributes, tee_s.weight_g) == (tee.id, {"size": "S"}, 180)
        exported = catalog_service.export_catalog(
            session=session, scope=SYSTEM, brand_id=b.id, kind=ImportKind.SKUS, fmt=FileFormat.CSV
        )
    again = run(database, b.id, exported, kind=ImportKind.SKUS)
    assert (again.created, again.updated, again.errors) == (0, 3, [])


def test_exported_offers_import_back_unchanged(database: Database) -> None:
    b = brand_with_skus(database)
    content = HEADER + f"K1,,,,CNY,100,150,\nK2,pos,,{b.store_code},,90,,false\n"
    run(database, b.id, content)
    for fmt in (FileFormat.CSV, FileFormat.JSON):
        with database.transaction(read_only=True) as session:
            exported = catalog_service.export_catalog(
                session=session, scope=SYSTEM, brand_id=b.id, kind=ImportKind.OFFERS, fmt=fmt
            )
        report = run(database, b.id, exported, fmt=fmt)
        assert (report.created, report.updated, report.errors) == (0, 2, [])
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(Offer.price, Offer.compare_at_price, Offer.available).order_by(Offer.id)
        ).all()
    assert [tuple(r) for r in rows] == [(100, 150, None), (90, None, False)]


def test_sku_import_refuses_negative_weights_and_taken_barcodes(database: Database) -> None:
    b = brand_with_skus(database)
    with database.transaction() as session:
        product = builders.product(session, b.id, code="CAP")
        builders.sku(session, b.id, product.id, code="CAP-1", barcode="777")
    content = (
        "product_code,code,barcode,weight_g\n"
        "CAP,CAP-2,777,10\nCAP,CAP-3,,-4\nCAP,CAP-4,,2.5\nNOPE,CAP-5,,1\nCAP,CAP-6,888,1\n"
    )
    report = run(database, b.id, content, kind=ImportKind.SKUS)
    assert [(e.line, e.code) for e in report.errors] == [
        (2, "barcode_taken"),
        (3, "invalid_quantity"),
        (4, "invalid_quantity"),
        (5, "unknown_product"),
    ]
    with database.transaction(read_only=True) as session:
        assert (
            session.scalar(select(func.count()).select_from(Sku).where(Sku.brand_id == b.id)) == 3
        )
