import pytest

from newretail.guides.rules import make_share_ref, read_share_ref, share_path

SECRET = "a-secret-key-for-share-refs-0123456789"


def test_a_ref_reads_back_as_the_guide_who_made_it() -> None:
    ref = make_share_ref(secret=SECRET, guide_id=4242)
    assert read_share_ref(secret=SECRET, ref=ref) == 4242


def test_a_ref_is_short_and_safe_in_a_query_string() -> None:
    ref = make_share_ref(secret=SECRET, guide_id=123456)
    assert len(ref) <= 20
    assert all(char.isalnum() or char in "._-" for char in ref)


def test_each_guide_gets_a_different_ref() -> None:
    assert make_share_ref(secret=SECRET, guide_id=1) != make_share_ref(secret=SECRET, guide_id=2)


def test_the_same_guide_always_gets_the_same_ref() -> None:
    assert make_share_ref(secret=SECRET, guide_id=77) == make_share_ref(secret=SECRET, guide_id=77)


def test_a_ref_with_another_guide_id_is_refused() -> None:
    mac = make_share_ref(secret=SECRET, guide_id=10).split(".")[1]
    assert read_share_ref(secret=SECRET, ref=f"b.{mac}") is None


def test_a_ref_with_an_altered_mac_is_refused() -> None:
    ref = make_share_ref(secret=SECRET, guide_id=10)
    flipped = ref[:-1] + ("A" if ref[-1] != "A" else "B")
    assert read_share_ref(secret=SECRET, ref=flipped) is None


def test_a_ref_made_under_another_secret_is_refused() -> None:
    ref = make_share_ref(secret="another-secret-of-another-install", guide_id=10)
    assert read_share_ref(secret=SECRET, ref=ref) is None


def test_a_second_spelling_of_the_same_guide_id_is_refused() -> None:
    text, mac = make_share_ref(secret=SECRET, guide_id=10).split(".")
    assert read_share_ref(secret=SECRET, ref=f"0{text}.{mac}") is None
    assert read_share_ref(secret=SECRET, ref=f"{text.upper()}.{mac}") is None


@pytest.mark.parametrize(
    "ref",
    [None, "", ".", "a", "a.", ".abcdefghijkl", "a.abc", "a b.abcdefghijkl", "-1.abcdefghijkl"],
)
def test_malformed_refs_are_refused(ref: str | None) -> None:
    assert read_share_ref(secret=SECRET, ref=ref) is None


@pytest.mark.parametrize("guide_id", [0, -5, 36**12])
def test_no_ref_is_made_for_an_impossible_guide_id(guide_id: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        make_share_ref(secret=SECRET, guide_id=guide_id)


def test_the_share_path_names_the_store_the_product_and_the_ref() -> None:
    path = share_path(store_code="SH-001", product_id=9, ref="a.abcdefghijkl")
    assert path == "/s/SH-001/p/9?ref=a.abcdefghijkl"
