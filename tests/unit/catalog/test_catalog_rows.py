import pytest

from newretail.catalog import files, rows
from newretail.catalog.files import FileFormat

LOOKUPS = rows.OfferLookups(
    brand_id=1, currency="CNY", sku_ids={"K1": 10}, store_ids={"S1": 20}, region_ids={"R1": 30}
)


def problem(cells: dict[str, object]) -> tuple[str, str | None]:
    with pytest.raises(rows.RowProblem) as raised:
        rows.offer_row(cells, LOOKUPS)
    return raised.value.code, raised.value.column


def test_an_offer_row_becomes_the_columns_to_write() -> None:
    values = rows.offer_row(
        {
            "sku_code": "K1",
            "store_code": "S1",
            "channel": "pos",
            "price": "29900",
            "images": "a.jpg|b.jpg",
            "available": "no",
            "per_order_limit": "2",
        },
        LOOKUPS,
    )
    assert values["sku_id"] == 10
    assert values["store_id"] == 20
    assert values["scope_key"] == "c=pos;r=;s=20"
    assert (values["price"], values["currency"]) == (29900, "CNY")
    assert values["images"] == ["a.jpg", "b.jpg"]
    assert (values["available"], values["per_order_limit"]) == (False, 2)


def test_an_unpriced_offer_carries_no_currency() -> None:
    assert rows.offer_row({"sku_code": "K1", "title": "Sale"}, LOOKUPS)["currency"] is None


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"sku_code": "K2"}, ("unknown_sku", "sku_code")),
        ({"sku_code": "K1", "store_code": "S9"}, ("unknown_store", "store_code")),
        ({"sku_code": "K1", "price": "-1"}, ("invalid_price", "price")),
        ({"sku_code": "K1", "price": "9.90"}, ("invalid_price", "price")),
        ({"sku_code": "K1", "price": True}, ("invalid_price", "price")),
        ({"sku_code": "K1", "price": "1", "currency": "JPY"}, ("currency_mismatch", "currency")),
        ({"sku_code": "K1", "per_order_limit": "0"}, ("invalid_quantity", "per_order_limit")),
        ({"sku_code": "K1", "images": [1, 2]}, ("invalid_value", "images")),
        (
            {"sku_code": "K1", "region_code": "R1", "store_code": "S1"},
            ("invalid_offer_scope", None),
        ),
    ],
)
def test_bad_offer_cells_name_their_code_and_column(
    cells: dict[str, object], expected: tuple[str, str | None]
) -> None:
    assert problem(cells) == expected


def test_csv_rows_are_numbered_as_an_editor_shows_them() -> None:
    parsed = files.parse(b'sku_code,title\nK1,"a\nb"\n\nK2,c\nK3\n', FileFormat.CSV)
    assert parsed.columns == ("sku_code", "title")
    assert [(r.line, r.cells, r.problem) for r in parsed.rows] == [
        (2, {"sku_code": "K1", "title": "a\nb"}, None),
        (5, {"sku_code": "K2", "title": "c"}, None),
        (6, {}, "expected 2 cells, found 1"),
    ]


def test_a_json_file_must_be_an_array() -> None:
    with pytest.raises(files.InvalidFile):
        files.parse(b'{"sku_code": "K1"}', FileFormat.JSON)
    with pytest.raises(files.InvalidFile):
        files.parse(b"[{", FileFormat.JSON)


def test_columns_are_checked_against_the_kind() -> None:
    with pytest.raises(files.UnknownColumn):
        files.check_columns(("sku_code", "prize"), known=rows.OFFER_COLUMNS, required=("sku_code",))
    with pytest.raises(files.MissingColumn):
        files.check_columns(("price",), known=rows.OFFER_COLUMNS, required=("sku_code",))
