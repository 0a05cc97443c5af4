import random

import pytest

from newretail.members.binding_rules import BindingSource
from newretail.touchpoints import rules
from newretail.touchpoints.rules import Destination, Placement, Target


def test_a_generated_code_is_eight_url_safe_characters_without_look_alikes() -> None:
    code = rules.generate_code()
    assert rules.is_code(code)
    assert not set(code) & set("0O1lI")


def test_a_seeded_pick_generates_the_same_codes() -> None:
    first = [rules.generate_code(random.Random(3).choice) for _ in range(2)]
    assert first[0] == first[1]


def test_a_thousand_codes_do_not_repeat() -> None:
    assert len({rules.generate_code() for _ in range(1000)}) == 1000


@pytest.mark.parametrize("text", ["abc", "abcdefgh1", "abcdefg0", "abcd/fgh", ""])
def test_anything_else_is_not_a_code(text: str) -> None:
    assert not rules.is_code(text)


def test_badges_recruit_product_codes_show_the_product_the_rest_the_store() -> None:
    defaults = {p: rules.default_target(p) for p in Placement}
    assert defaults[Placement.GUIDE_BADGE] == Target.JOIN
    assert defaults[Placement.PRODUCT_PAGE] == Target.PRODUCT
    assert {defaults[p] for p in (Placement.SHELF_TAG, Placement.POSTER, Placement.AD)} == {
        Target.STORE
    }


def test_a_product_target_needs_a_product_and_only_it_has_one() -> None:
    assert rules.check_target(Target.PRODUCT, None) is not None
    assert rules.check_target(Target.STORE, 5) is not None
    assert rules.check_target(Target.PRODUCT, 5) is None


def test_store_and_badge_codes_offer_membership_product_codes_do_not() -> None:
    assert rules.offers_membership(Placement.SHELF_TAG, Target.STORE)
    assert rules.offers_membership(Placement.GUIDE_BADGE, Target.STORE)
    assert not rules.offers_membership(Placement.PRODUCT_PAGE, Target.PRODUCT)


def test_each_placement_binds_with_its_own_source() -> None:
    sources = [rules.binding_source(p) for p in Placement]
    assert rules.binding_source(Placement.GUIDE_BADGE) == BindingSource.BADGE_CODE
    assert rules.binding_source(Placement.SHELF_TAG) == BindingSource.SHELF_CODE
    assert len(set(sources)) == len(sources)


def test_targets_are_the_cloud_store_its_product_or_the_join_page() -> None:
    store = Destination("Ab3dEf9h", Target.STORE, "YD", "SH001")
    product = Destination("Ab3dEf9h", Target.PRODUCT, "YD", "SH001", 42)
    join = Destination("Ab3dEf9h", Target.JOIN, "YD", "SH001")
    assert rules.target_path(store) == "/s/YD.SH001"
    assert rules.target_path(product) == "/s/YD.SH001/p/42"
    assert rules.target_path(join) == "/c/Ab3dEf9h/join"


def test_the_scan_url_joins_the_base_without_a_double_slash() -> None:
    assert rules.scan_url("https://shop.example.com/", "Ab3dEf9h") == (
        "https://shop.example.com/c/Ab3dEf9h"
    )


def test_a_consumer_counts_as_one_scanner_whatever_device_they_use() -> None:
    assert rules.scanner_key(7, "dev-1") == rules.scanner_key(7, "dev-2") == "c:7"
    assert rules.scanner_key(None, "dev-1") == "a:dev-1"
    assert rules.scanner_key(None, None) is None


def test_the_a4_grid_fills_rows_left_to_right_then_the_next_page() -> None:
    grid = rules.A4_GRID
    first, second, thirteenth = grid.cell(0), grid.cell(1), grid.cell(12)
    assert (first.page, second.page, thirteenth.page) == (0, 0, 1)
    assert second.x == pytest.approx(first.x + grid.cell_width)
    assert (thirteenth.x, thirteenth.y) == (first.x, first.y)
    assert first.y + grid.cell_height == pytest.approx(grid.height - grid.margin)


def test_a_sheet_has_at_least_one_page_and_enough_for_every_label() -> None:
    assert [rules.A4_GRID.pages(n) for n in (0, 12, 13)] == [1, 1, 2]
