from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from newretail.catalog import rules
from newretail.catalog.rules import Level, OfferRule

STORE, OTHER_STORE = 100, 101
CHAIN = [12, 11, 10]  # the store's area, its division, HQ: nearest first
UNRELATED_REGION = 13


def offer(
    offer_id: int,
    *,
    channel: str | None = None,
    region: int | None = None,
    store: int | None = None,
    **values: Any,
) -> OfferRule:
    return OfferRule(offer_id, channel, region, store, values)


def resolve(offers: list[OfferRule], channel: str = "pos", **kwargs: Any) -> rules.ResolvedOffer:
    return rules.resolve(
        offers,
        sku_id=1,
        store_id=STORE,
        region_chain=CHAIN,
        channel=channel,
        currency="CNY",
        **kwargs,
    )


def test_store_and_channel_beats_every_other_level() -> None:
    resolved = resolve(
        [
            offer(1, price=100),
            offer(2, channel="pos", price=200),
            offer(3, region=10, price=300),
            offer(4, store=STORE, price=400),
            offer(5, store=STORE, channel="pos", price=500),
        ]
    )
    assert resolved.price == 500
    assert resolved.fields["price"].source == rules.Source(
        Level.STORE_CHANNEL, 5, "pos", None, STORE
    )


def test_the_nearest_region_wins_over_its_ancestors() -> None:
    resolved = resolve([offer(1, region=10, price=300), offer(2, region=11, price=250)])
    assert resolved.price == 250
    assert resolved.fields["price"].source == rules.Source(Level.REGION, 2, None, 11, None)


def test_a_region_beats_a_channel_offer() -> None:
    resolved = resolve([offer(1, channel="pos", price=200), offer(2, region=10, price=300)])
    assert resolved.price == 300


def test_offers_for_other_stores_regions_and_channels_do_not_apply() -> None:
    resolved = resolve(
        [
            offer(1, price=100),
            offer(2, channel="online", price=200),
            offer(3, region=UNRELATED_REGION, price=300),
            offer(4, store=OTHER_STORE, price=400),
            offer(5, store=STORE, channel="livestream", price=500),
        ]
    )
    assert resolved.price == 100
    assert resolved.fields["price"].source == rules.Source(Level.BRAND, 1)


def test_each_field_comes_from_the_most_specific_offer_that_sets_it() -> None:
    resolved = resolve([offer(1, price=100, title="Brand title"), offer(2, store=STORE, price=90)])
    assert resolved.price == 90
    assert resolved.fields["price"].source.offer_id == 2  # type: ignore[union-attr]
    assert resolved.value("title") == "Brand title"
    assert resolved.fields["title"].source.offer_id == 1  # type: ignore[union-attr]


def test_content_falls_back_to_the_product_and_availability_to_true() -> None:
    resolved = resolve(
        [], product={"title": "Linen shirt", "description": "", "images": [], "video": None}
    )
    assert resolved.value("title") == "Linen shirt"
    assert resolved.fields["title"].source == rules.Source(Level.PRODUCT)
    assert resolved.available is True
    assert resolved.fields["available"].source == rules.Source(Level.DEFAULT)
    assert resolved.fields["price"] == rules.Resolved(None, None)


def test_an_unpriced_or_unavailable_sku_is_not_sellable() -> None:
    assert not resolve([offer(1, title="x")]).sellable
    assert not resolve([offer(1, price=100), offer(2, store=STORE, available=False)]).sellable
    assert resolve([offer(1, price=100)]).sellable
    assert not resolve([offer(1, price=100)], active=False).sellable


def test_a_compare_at_price_below_the_resolved_price_is_hidden_but_keeps_its_source() -> None:
    resolved = resolve(
        [offer(1, price=100, compare_at_price=150), offer(2, store=STORE, price=200)]
    )
    assert resolved.fields["compare_at_price"] == rules.Resolved(None, rules.Source(Level.BRAND, 1))
    shown = resolve([offer(1, price=100, compare_at_price=150), offer(2, store=STORE, price=120)])
    assert shown.value("compare_at_price") == 150


def test_levels_follow_from_the_scope() -> None:
    assert rules.level_of("pos", None, 5) is Level.STORE_CHANNEL
    assert rules.level_of(None, None, 5) is Level.STORE
    assert rules.level_of(None, 3, None) is Level.REGION
    assert rules.level_of("pos", None, None) is Level.CHANNEL
    assert rules.level_of(None, None, None) is Level.BRAND


def test_scope_keys_differ_for_every_scope() -> None:
    keys = {
        rules.scope_key(channel, region, store)
        for channel in (None, "pos", "online")
        for region in (None, 1, 11)
        for store in (None, 1, 11)
    }
    assert len(keys) == 27


def test_prices_are_whole_non_negative_and_compare_at_not_below() -> None:
    assert rules.check_prices(100, 150) is None
    assert rules.check_prices(100, None) is None
    assert rules.check_prices(-1, None) == "prices cannot be negative"
    assert rules.check_prices(100, 99) == "the compare-at price cannot be below the price"
    assert rules.check_prices(1.5, None) == "prices are whole minor units (fen)"  # type: ignore[arg-type]


# ---- properties -----------------------------------------------------------------------

CHANNELS = [c.value for c in rules.Channel]
REGIONS = [*CHAIN, UNRELATED_REGION]
STORES = [STORE, OTHER_STORE]
SETTABLE = ("price", "title", "available", "per_order_limit")


@st.composite
def offer_sets(draw: st.DrawFn) -> list[OfferRule]:
    """Offers with distinct scopes (as the unique scope key guarantees), random fields set."""
    scopes = [(None, None, None)]
    scopes += [(c, None, None) for c in CHANNELS]
    scopes += [(None, r, None) for r in REGIONS]
    scopes += [(None, None, s) for s in STORES]
    scopes += [(c, None, s) for c in CHANNELS for s in STORES]
    chosen = draw(st.lists(st.sampled_from(scopes), unique=True, max_size=12))
    offers = []
    for offer_id, (channel, region, store) in enumerate(chosen, start=1):
        values = {
            "price": draw(st.none() | st.integers(0, 10_000)),
            "title": draw(st.none() | st.sampled_from(["a", "b", "c"])),
            "available": draw(st.none() | st.booleans()),
            "per_order_limit": draw(st.none() | st.integers(1, 10)),
        }
        offers.append(OfferRule(offer_id, channel, region, store, values))
    return draw(st.permutations(offers))


def applies(rule: OfferRule, channel: str) -> bool:
    if rule.channel not in (None, channel):
        return False
    if rule.store_id is not None:
        return rule.store_id == STORE
    return rule.region_id is None or rule.region_id in CHAIN


def specificity(rule: OfferRule) -> int:
    """Independent restatement of the order: a bigger number is more specific."""
    if rule.store_id is not None:
        return 100 if rule.channel is not None else 90
    if rule.region_id is not None:
        return 80 - CHAIN.index(rule.region_id)
    return 10 if rule.channel is not None else 0


@given(offer_sets(), st.sampled_from(CHANNELS))
def test_the_most_specific_applicable_offer_that_sets_a_field_wins(
    offers: list[OfferRule], channel: str
) -> None:
    resolved = resolve(offers, channel=channel)
    for name in SETTABLE:
        setters = [o for o in offers if applies(o, channel) and o.values[name] is not None]
        winner = max(setters, key=specificity, default=None)
        expected_value = winner.values[name] if winner else (True if name == "available" else None)
        assert resolved.value(name) == expected_value
        source = resolved.fields[name].source
        assert (source.offer_id if source else None) == (winner.offer_id if winner else None)
        if winner is not None:
            assert source == rules.Source.of(winner)
            assert source.level is rules.level_of(winner.channel, winner.region_id, winner.store_id)


@given(offer_sets(), st.sampled_from(CHANNELS))
def test_the_source_always_names_an_applicable_offer_that_sets_the_value(
    offers: list[OfferRule], channel: str
) -> None:
    by_id = {o.offer_id: o for o in offers}
    resolved = resolve(offers, channel=channel)
    offer_sources = [
        (name, r)
        for name, r in resolved.fields.items()
        if r.source is not None and r.source.offer_id is not None and name in SETTABLE
    ]
    for name, r in offer_sources:
        origin = by_id[r.source.offer_id]  # type: ignore[union-attr,index]
        assert applies(origin, channel)
        assert origin.values[name] == r.value


@given(offer_sets(), st.sampled_from(CHANNELS))
def test_adding_a_less_specific_offer_never_changes_a_resolved_field(
    offers: list[OfferRule], channel: str
) -> None:
    resolved = resolve(offers, channel=channel)
    fallback = OfferRule(999, None, None, None, {name: None for name in SETTABLE})
    brand_free = [
        o for o in offers if rules.level_of(o.channel, o.region_id, o.store_id) is not Level.BRAND
    ]
    assert (
        resolve([*brand_free, fallback], channel=channel).fields
        == resolve(brand_free, channel=channel).fields
    )
    assert resolve(list(reversed(offers)), channel=channel) == resolved
