"""A platform admin's brand: where a console URL without one goes, and whose cookie counts."""

from newretail.web import brand_choice

SECRET = "s" * 40


def test_a_console_page_without_a_brand_goes_to_the_remembered_one() -> None:
    target = brand_choice.redirect_for("/console/members", "q=wang", 7)

    assert target == "/console/members?q=wang&brand=7"


def test_with_nothing_remembered_the_brand_list_comes_first() -> None:
    target = brand_choice.redirect_for("/console/orders", "status=ready", None)

    assert target == "/console/brands?next=%2Fconsole%2Forders%3Fstatus%3Dready"


def test_a_page_that_names_its_brand_stays() -> None:
    assert brand_choice.redirect_for("/console/members", "brand=3", 7) is None


def test_pages_outside_the_console_and_the_brand_list_stay() -> None:
    assert brand_choice.redirect_for("/g", "", 7) is None
    assert brand_choice.redirect_for("/consoles", "", 7) is None
    assert brand_choice.redirect_for("/console/brands", "next=/console", None) is None


def test_switching_brands_lands_on_the_section_not_the_old_brand_s_page() -> None:
    assert brand_choice.section_of("/console/orders/12?brand=1") == "/console/orders"
    assert brand_choice.section_of("/console?brand=1&period=7d") == "/console"
    assert brand_choice.section_of("/console/brands?next=/console") == "/console"
    assert brand_choice.section_of("/g/share") == "/console"


def test_the_choice_holds_for_the_session_that_made_it() -> None:
    cookie = brand_choice.cookie_value(secret=SECRET, session_token="token-a", brand_id=4)

    assert brand_choice.remembered(secret=SECRET, session_token="token-a", cookie=cookie) == 4
    assert brand_choice.remembered(secret=SECRET, session_token="token-b", cookie=cookie) is None
    assert brand_choice.remembered(secret=SECRET, session_token=None, cookie=cookie) is None


def test_an_altered_cookie_counts_for_nothing() -> None:
    cookie = brand_choice.cookie_value(secret=SECRET, session_token="token-a", brand_id=4)

    altered = "x" + cookie[1:]

    assert brand_choice.remembered(secret=SECRET, session_token="token-a", cookie=altered) is None
    assert (
        brand_choice.remembered(secret="other" * 8, session_token="token-a", cookie=cookie) is None
    )
