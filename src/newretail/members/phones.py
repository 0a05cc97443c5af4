"""Phone numbers: normalised to E.164 (default region China) and masked for display."""

import phonenumbers

from newretail.members.errors import InvalidPhone

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


def mask_phone(e164: str) -> str:
    """``+8613812341234`` -> ``138****1234``; other countries keep their ``+code `` prefix."""
    number = phonenumbers.parse(e164, None)
    national = phonenumbers.national_significant_number(number)
    head, tail = (3, 4) if len(national) >= 8 else (1, 2)
    masked = national[:head] + "*" * (len(national) - head - tail) + national[-tail:]
    if number.country_code == 86:
        return masked
    return f"+{number.country_code} {masked}"
