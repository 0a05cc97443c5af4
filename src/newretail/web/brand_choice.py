"""A platform admin's brand: picked in the console header, remembered for the session.

Every console screen works on one brand, named by ``?brand=`` in a platform admin's URLs
(brand staff have their own). A console URL without it (typed, bookmarked, linked from an
e-mail) is sent on to the same screen of the remembered brand, or to the brand list when
none was picked yet, instead of answering "not found". The choice lives in a cookie signed
together with a digest of the session token, so it ends with the session that made it.
"""

import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode

from sqlalchemy.orm import Session

from newretail.kernel.scope import Scope
from newretail.org import service as org_service
from newretail.web import security

COOKIE = "nr_brand"
PURPOSE = "brand"
CONSOLE = "/console"
BRAND_LIST = "/console/brands"
# Pages that are about no brand in particular, and the form that picks one.
BRANDLESS = frozenset({BRAND_LIST, "/console/brand"})
# Sections about no brand in particular: the platform's coupon packages across brands.
BRANDLESS_PREFIXES = ("/console/packages",)
MAX_BRANDS = 200


@dataclass(frozen=True)
class Picker:
    brands: list[tuple[int, str]]
    current: int | None


def _digest(session_token: str) -> str:
    return hashlib.sha256(session_token.encode()).hexdigest()[:32]


def cookie_value(*, secret: str, session_token: str, brand_id: int) -> str:
    return security.sign(secret, PURPOSE, {"brand": brand_id, "session": _digest(session_token)})


def remembered(*, secret: str, session_token: str | None, cookie: str | None) -> int | None:
    """The brand picked in this session, if any (a cookie from another session is ignored)."""
    data = security.unsign(secret, PURPOSE, cookie)
    if data is None or not session_token or data.get("session") != _digest(session_token):
        return None
    brand = data.get("brand")
    return brand if isinstance(brand, int) and not isinstance(brand, bool) else None


def _brand_param(query: str) -> int | None:
    value = dict(parse_qsl(query)).get("brand", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def redirect_for(path: str, query: str, remembered_brand: int | None) -> str | None:
    """Where a platform admin's GET of a console page without a brand goes; None: stay."""
    if not (path == CONSOLE or path.startswith(CONSOLE + "/")) or path in BRANDLESS:
        return None
    if path.startswith(BRANDLESS_PREFIXES):
        return None
    if "brand" in dict(parse_qsl(query)):
        return None
    here = path + ("?" + query if query else "")
    if remembered_brand is None:
        return BRAND_LIST + "?" + urlencode({"next": here})
    params = [*parse_qsl(query), ("brand", str(remembered_brand))]
    return path + "?" + urlencode(params)


def section_of(next_path: str) -> str:
    """The console section a page belongs to (``/console/orders/12`` → ``/console/orders``):
    where switching brands lands, since the page itself belongs to the old brand."""
    path = next_path.split("?", 1)[0]
    parts = path.split("/")
    if len(parts) < 2 or "/".join(parts[:2]) != CONSOLE or path in BRANDLESS:
        return CONSOLE
    return "/".join(parts[:3])


def picker(*, session: Session, scope: Scope, query: str, remembered_brand: int | None) -> Picker:
    """The header's brand menu for a platform admin: every brand, the page's one selected."""
    brands, _ = org_service.list_brands(session=session, scope=scope, cursor=None, limit=MAX_BRANDS)
    current = _brand_param(query)
    return Picker(
        brands=[(brand.id, brand.name) for brand in brands],
        current=current if current is not None else remembered_brand,
    )


def list_url(next_path: str) -> str:
    return BRAND_LIST + "?next=" + quote(next_path, safe="/")
