"""Finding the order to take back by its number: any of the brand's, never another brand's."""

from fastapi.testclient import TestClient
from tests import pos_builders

from newretail.db import Database


def _sell(client: TestClient, till: pos_builders.Till) -> str:
    sale = client.post(
        "/api/v1/pos/orders", json=pos_builders.sale(till), headers=till.headers()
    ).json()
    return str(sale["order_number"])


def test_the_till_finds_an_order_of_its_brand_by_number(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    number = _sell(client, till)

    found = client.get(
        "/api/v1/pos/orders/lookup", params={"number": number}, headers=till.headers()
    )

    assert found.status_code == 200, found.text
    assert found.json()["number"] == number
    assert [line["quantity"] for line in found.json()["lines"]] == [1, 1]


def test_another_brand_s_order_or_an_unknown_number_is_not_found(
    client: TestClient, database: Database
) -> None:
    ours = pos_builders.till(database)
    theirs = pos_builders.till(database)
    number = _sell(client, theirs)

    other = client.get(
        "/api/v1/pos/orders/lookup", params={"number": number}, headers=ours.headers()
    )
    unknown = client.get(
        "/api/v1/pos/orders/lookup", params={"number": "000"}, headers=ours.headers()
    )

    assert (other.status_code, other.json()["code"]) == (404, "order_not_found")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "order_not_found")
