from newretail.org.schemas import RegionRead
from newretail.web import views


def _region(id: int, parent_id: int | None, code: str) -> RegionRead:
    return RegionRead(id=id, brand_id=1, parent_id=parent_id, code=code, name=code, kind="area")


def test_tree_nests_regions_and_counts_stores_of_the_whole_subtree() -> None:
    regions = [
        _region(1, None, "HQ"),
        _region(2, 1, "EAST"),
        _region(3, 2, "SH"),
        _region(4, 1, "A"),
    ]
    tree = views.region_tree(regions, {1: 1, 2: 2, 3: 4})
    [hq] = tree
    assert [child.code for child in hq.children] == ["A", "EAST"]
    assert hq.total_stores == 7
    assert hq.children[1].total_stores == 6
    assert hq.children[1].children[0].depth == 2


def test_a_region_whose_parent_is_out_of_sight_becomes_a_root() -> None:
    tree = views.region_tree([_region(2, 1, "EAST"), _region(3, 2, "SH")], {})
    assert [node.code for node in tree] == ["EAST"]
    assert tree[0].depth == 0


def test_options_list_parents_before_children_indented_by_depth() -> None:
    regions = [_region(3, 2, "SH"), _region(2, 1, "EAST"), _region(1, None, "HQ")]
    options = views.region_options(views.region_tree(regions, {}))
    assert options == [(1, "HQ (HQ)"), (2, "\u3000EAST (EAST)"), (3, "\u3000\u3000SH (SH)")]
