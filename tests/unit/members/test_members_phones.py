import pytest

from newretail.kernel.scope import Role
from newretail.members.errors import InvalidPhone, PhoneRegionNotAllowed
from newretail.members.phones import mask_phone, normalise_phone, phone_for_sign_in
from newretail.members.rules import sees_full_phone


@pytest.mark.parametrize(
    "raw",
    ["13812341234", "138 1234 1234", "138-1234-1234", "+86 138 1234 1234", "008613812341234"],
)
def test_chinese_mobiles_in_any_common_format_become_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+8613812341234"


def test_foreign_numbers_need_their_country_code() -> None:
    assert normalise_phone("+44 7911 123456") == "+447911123456"


@pytest.mark.parametrize("raw", ["", "12345", "not a phone", "1381234123", "+86 21 6234 5678"])
def test_invalid_and_landline_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone) as refused:
        normalise_phone(raw)
    assert refused.value.code == "invalid_phone"


def test_a_chinese_mobile_is_masked_like_138_stars_1234() -> None:
    assert mask_phone("+8613812341234") == "138****1234"


def test_a_foreign_number_keeps_its_country_code_when_masked() -> None:
    assert mask_phone("+447911123456") == "+44 791***3456"


@pytest.mark.parametrize(
    ("roles", "full"),
    [
        ({Role.GUIDE}, False),
        ({Role.CASHIER}, False),
        ({Role.GUIDE, Role.CASHIER}, False),
        ({Role.STORE_MANAGER}, True),
        ({Role.REGION_MANAGER}, True),
        ({Role.BRAND_ADMIN}, True),
        ({Role.INTEGRATION}, True),
        ({Role.GUIDE, Role.STORE_MANAGER}, True),
    ],
)
def test_only_managers_and_the_brand_systems_see_full_numbers(roles: set[Role], full: bool) -> None:
    assert sees_full_phone(roles) is full


def test_a_mobile_of_an_allowed_region_signs_in_in_e164() -> None:
    assert phone_for_sign_in("139 1234 5678", home="CN", allowed={"CN"}) == "+8613912345678"


@pytest.mark.parametrize("raw", ["+852 5123 4567", "+1 650 253 0000", "00447400123456"])
def test_a_mobile_of_another_region_is_refused_with_its_own_code(raw: str) -> None:
    with pytest.raises(PhoneRegionNotAllowed) as refused:
        phone_for_sign_in(raw, home="CN", allowed={"CN"})
    assert (refused.value.code, refused.value.status) == ("phone_region_not_allowed", 422)
    assert "numbers of CN can" in refused.value.detail


def test_a_region_is_the_numbers_own_not_its_country_codes() -> None:
    with pytest.raises(PhoneRegionNotAllowed):
        phone_for_sign_in("+1 416 555 0123", home="US", allowed={"US"})


def test_local_numbers_are_read_as_numbers_of_the_home_region() -> None:
    assert phone_for_sign_in("5123 4567", home="HK", allowed={"HK", "CN"}) == "+85251234567"
    assert phone_for_sign_in("+8613912345678", home="HK", allowed={"HK", "CN"}) == "+8613912345678"


def test_an_invalid_number_is_still_invalid_phone_whatever_the_regions() -> None:
    with pytest.raises(InvalidPhone):
        phone_for_sign_in("12345", home="CN", allowed={"CN", "HK"})
