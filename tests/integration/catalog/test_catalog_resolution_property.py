"""The stored path (SQL pre-filter + resolution) agrees with an independent oracle."""

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests import builders

from newretail.catalog import errors
from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import OfferCreate
from newretail.db import Database
from newretail.kernel.scope import SYSTEM

CHANNELS = ["online", "pos", "livestream"]


@dataclass
class Tree:
    brand_id: int
    product_id: int
    chain: list[int]  # the store's region, then its ancestors
    regions: list[int]  # the chain plus an unrelated region
    store_id: int
    other_store_id: int


@pytest.fixture
def tree(sqlite_database: Database) -> Tree:
    with sqlite_database.transaction() as session:
        brand = builders.brand(session)
        hq = builders.region(session, brand.id, kind="hq")
        area = builders.region(session, brand.id, parent_id=hq.id)
        city = builders.region(session, brand.id, parent_id=area.id)
        elsewhere = builders.region(session, brand.id, parent_id=hq.id)
        store = builders.store(session, brand.id, city.id)
        other = builders.store(session, brand.id, elsewhere.id)
        product = builders.product(session, brand.id)
        chain = [city.id, area.id, hq.id]
        return Tree(brand.id, product.id, chain, [*chain, elsewhere.id], store.id, other.id)


def scopes(tree: Tree) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [{}]
    found += [{"channel": c} for c in CHANNELS]
    found += [{"region_id": r} for r in tree.regions]
    for store in (tree.store_id, tree.other_store_id):
        found += [{"store_id": store}] + [{"store_id": store, "channel": c} for c in CHANNELS]
    return found


def specificity(scope: dict[str, Any], tree: Tree, channel: str) -> int | None:
    """Independent oracle: None if the offer does not apply, else bigger = more specific."""
    if scope.get("channel") not in (None, channel):
        return None
    if "store_id" in scope:
        same = scope["store_id"] == tree.store_id
        return (100 if "channel" in scope else 90) if same else None
    if "region_id" in scope:
        chain = tree.chain
        return 80 - chain.index(scope["region_id"]) if scope["region_id"] in chain else None
    return 10 if "channel" in scope else 0


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_stored_resolution_picks_the_most_specific_offer_that_sets_each_field(
    sqlite_database: Database, tree: Tree, data: st.DataObject
) -> None:
    chosen = data.draw(st.lists(st.sampled_from(scopes(tree)), unique_by=str, max_size=10))
    channel = data.draw(st.sampled_from(CHANNELS))
    with sqlite_database.transaction() as session:
        sku = builders.sku(session, tree.brand_id, tree.product_id)
        made = []
        for scope in chosen:
            fields = {
                "price": data.draw(st.none() | st.integers(0, 10_000)),
                "per_order_limit": data.draw(st.none() | st.integers(1, 9)),
            }
            body = OfferCreate.model_validate({"sku_id": sku.id, **scope, **fields})
            offer = catalog_service.create_offer(session=session, scope=SYSTEM, data=body)
            made.append((offer.id, scope, fields))
        resolved = catalog_service.resolve_offers(
            session=session,
            brand_id=tree.brand_id,
            store_id=tree.store_id,
            channel=channel,
            sku_ids=[sku.id],
        )[sku.id]
    for name in ("price", "per_order_limit"):
        candidates = [
            (specificity(scope, tree, channel), offer_id, fields[name])
            for offer_id, scope, fields in made
            if fields[name] is not None and specificity(scope, tree, channel) is not None
        ]
        best = max(candidates, default=(None, None, None), key=lambda c: c[0] or 0)
        source = resolved.fields[name].source
        assert resolved.value(name) == best[2]
        assert (source.offer_id if source else None) == best[1]


def test_an_unknown_channel_is_refused(sqlite_database: Database, tree: Tree) -> None:
    with sqlite_database.transaction() as session, pytest.raises(errors.InvalidChannel):
        catalog_service.resolve_offers(
            session=session,
            brand_id=tree.brand_id,
            store_id=tree.store_id,
            channel="teleshop",
            sku_ids=[],
        )
