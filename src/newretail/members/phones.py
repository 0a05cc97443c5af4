"""Phone numbers: normalised to E.164 (default region China), checked against the regions
allowed to sign in, and masked for display."""

from collections.abc import Collection

import phonenumbers

from newretail.members.errors import InvalidPhone, PhoneRegionNotAllowed

DEFAULT_REGION = "CN"
_TEXTABLE = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def normalise_phone(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """The E.164 form of a mobile number (``+8613812341234``); InvalidPhone otherwise."""
    if not raw or len(raw) > 32:
        raise InvalidPhone()
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone() from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone()
    if phonenumbers.number_type(number) not in _TEXTABLE:
        raise InvalidPhone("The phone number cannot receive text messages.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_for_sign_in(raw: str, *, home: str, allowed: Collection[str]) -> str:
    """The E.164 form of a mobile of one of the ``allowed`` regions (``home``: local numbers).

    A region is the number's own (``+852`` is Hong Kong, not China), as the numbering plan
    assigns it; PhoneRegionNotAllowed for any other.
    """
    e164 = normalise_phone(raw, region=home)
    region = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    if region not in allowed:
        regions = ", ".join(sorted(allowed))
        raise PhoneRegionNotAllowed(
            f"Phone numbers of {region or 'this region'} cannot sign in here; "
            f"numbers of {regions} can."
        )
    return e164


def mask_phone(e164: str) -> str:
    """``+8613812341234`` -> ``138****1234``; other countries keep their ``+code `` prefix."""
    number = phonenumbers.parse(e164, None)
    national = phonenumbers.national_significant_number(number)
    head, tail = (3, 4) if len(national) >= 8 else (1, 2)
    masked = national[:head] + "*" * (len(national) - head - tail) + national[-tail:]
    if number.country_code == 86:
        return masked
    return f"+{number.country_code} {masked}"
