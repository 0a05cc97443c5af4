"""A tour of every page at phone and desktop size, signed in as each kind of user.

Each stop is opened in Chromium in Chinese and checked three ways: layout faults measured from
element boxes (``layout_checks.js``), texts a Chinese reader should not see (English message
ids, raw codes, ISO dates), and, on the dashboard, charts with nothing drawn. A screenshot of
every stop can be kept to look at. The browser test runs it on a small world; against the
demo it runs from the command line and finds the ids it needs by following the pages' links:

    python -m tests.browser.page_tour --base http://127.0.0.1:8000 --out var/page-tour

The demo's shopper signs in by phone (``--phone``, a demo member with orders in the store) once
per run: the sign-in refuses a second code for the same phone within a minute.
"""

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.browser.test_browser_layouts import CHECK, TEXT
from tests.e2e.manage.test_manage_translated import problems_of, raw_codes, untranslated_pattern

WIDTHS = ((390, 844), (1440, 900))
PASSWORD = "newretail"

CONSOLE = (
    "/console",
    "/console/stores",
    "/console/stores/new",
    "/console/stores/{store_id}/edit",
    "/console/regions/new",
    "/console/regions/{region_id}/edit",
    "/console/products",
    "/console/products/new",
    "/console/products/{product_id}",
    "/console/products/{product_id}/edit",
    "/console/products/{product_id}/skus/new",
    "/console/products/{product_id}/skus/{sku_id}/edit",
    "/console/offers",
    "/console/prices",
    "/console/prices?sku={sku_id}",
    "/console/stock",
    "/console/stock/movements",
    "/console/stock/adjust",
    "/console/stock/transfer",
    "/console/codes",
    "/console/members",
    "/console/members/{member_id}",
    "/console/binding-policy",
    "/console/rebind",
    "/console/orders",
    "/console/orders/{order_id}",
    "/console/presales",
    "/console/presales?presale={presale_id}",
    "/console/presales/new",
    "/console/dunning",
    "/console/staff",
    "/console/staff/new",
    "/console/staff/{staff_id}",
    "/console/promotions",
    "/console/promotions/new",
    "/console/promotions/{promotion_id}/edit",
    "/console/coupons",
    "/console/coupons/new",
    "/console/coupons/{template_id}/edit",
    "/console/coupons/report",
    "/console/tasks",
    "/console/tasks/new",
    "/console/targets",
    "/console/content",
    "/console/dings",
)
# The data bank's pages, for its readers alone (the brand's admins and the platform's).
ANALYSTS = (
    "/console/audiences",
    "/console/audiences/{audience_id}",
)
# The platform operator's pages, about no brand in particular.
PLATFORM = (
    "/console/packages",
    "/console/packages/new",
    "/console/packages/{package_id}",
)
# The console's forms look the same to every member of staff; its lists and boards do not.
FORMS = ("/new", "/edit", "/adjust", "/transfer")
LISTS = tuple(path for path in CONSOLE if not any(form in path for form in FORMS))
GUIDE = (
    "/g",
    "/g/members/{guide_member_id}",
    "/g/share",
    "/g/share?product={product_id}",
    "/g/code",
    "/g/work",
    "/g/work/dings",
)
# The cashier's till: the page's script draws it from the POS API once it has booted.
TILL = ("/pos",)
SHOP = (
    "/s/{store}",
    "/s/{store}/categories",
    "/s/{store}/c/{category_id}",
    "/s/{store}/p/{product_id}",
    "/s/{store}/search?q={query}",
    "/s/{store}/presales",
    "/s/{store}/presale/{presale_id}",
    "/s/{store}/cart",
    "/s/{store}/me",
)
SHOPPER = (
    *SHOP,
    "/s/{store}/checkout",
    "/s/{store}/presale/{presale_id}/deposit?sku={presale_sku_id}",
    "/s/{store}/orders",
    "/s/{store}/orders/{shop_order_id}",
    "/s/{store}/me/coupons",
    "/s/{store}/me/coupons/{coupon_id}",
)
ANONYMOUS = (
    *SHOP,
    "/",
    "/login",
    "/s/{store}/signin",
    "/c/{code}",
    "/c/{code}/join",
)
# Error pages: (who, path, status).
ERRORS = (
    ("anonymous", "/nowhere", 404),
    ("anonymous", "/s/NOBRAND.NOSTORE", 404),
    ("hq", "/console/orders/999999999", 404),
    ("cashier", "/console/staff", 403),
)


def for_platform(path: str) -> str:
    """A console path as the platform admin opens it: naming the brand."""
    return path + ("&" if "?" in path else "?") + "brand={brand_id}"


def stops(ids: dict[str, str], others: Iterable[str] = CONSOLE) -> list[tuple[str, str]]:
    """Every (who, path) of the tour with the ids filled in: the brand admin sees every
    console page, the other staff ``others``; a page needing a missing id is left out."""
    others = tuple(others)
    plan = [
        *(("hq", path) for path in (*CONSOLE, *ANALYSTS)),
        *(("region", path) for path in others),
        *(("store", path) for path in others),
        ("admin", "/console/brands"),
        *(("admin", for_platform(path)) for path in (*others, *ANALYSTS)),
        *(("admin", path) for path in PLATFORM),
        *(("guide", path) for path in GUIDE),
        *(("cashier", path) for path in TILL),
        *(("shopper", path) for path in SHOPPER),
        *(("anonymous", path) for path in ANONYMOUS),
    ]
    filled = []
    for who, path in plan:
        names = re.findall(r"{(\w+)}", path)
        if all(name in ids for name in names):
            filled.append((who, path.format(**{name: ids[name] for name in names})))
    return filled


@dataclass
class Visit:
    who: str
    path: str
    width: int
    status: int
    url: str
    faults: list[str]
    words: list[str]
    charts: list[str]
    images: list[str]
    shot: Path | None = None

    @property
    def problems(self) -> list[str]:
        return self.faults + self.words + self.charts + self.images


# A chart is drawn when its box says so, holds a canvas with paint on at least 1% of it, and
# its data has a value that is not zero.
CHARTS = """() => [...document.querySelectorAll(".chart-card")].map((card) => {
  const name = card.dataset.testid;
  const box = card.querySelector("[data-chart]");
  if (!box) return `${name}: no chart, only "${card.innerText.replace(/\\s+/g, " ").slice(0, 60)}"`;
  if (box.dataset.drawn !== "1") return `${name}: not drawn`;
  const canvas = box.querySelector("canvas");
  if (!canvas) return `${name}: no canvas`;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
  if (painted < 0.01 * canvas.width * canvas.height) return `${name}: blank canvas`;
  const spec = JSON.parse(document.getElementById(box.dataset.chart).textContent);
  const values = JSON.stringify(spec).match(/-?\\d+(\\.\\d+)?/g) || [];
  if (!values.some((v) => Number(v) !== 0)) return `${name}: no data`;
  return "";
}).filter(Boolean)"""


# In one call: the layout faults, the images that failed to load and the page's HTML.
SEEN = f"""(text) => ({{
  faults: ({CHECK.strip()})(text),
  images: [...document.images]
    .filter((img) => img.complete && img.naturalWidth === 0)
    .map((img) => img.getAttribute("src")),
  html: document.documentElement.outerHTML,
}})"""


@dataclass
class Tour:
    """Opens pages in one browser: one context per person, signed in once, at each width."""

    browser: Any
    base: str
    sign_in: dict[str, Callable[[Any, str], None]]
    out: Path | None = None
    visits: list[Visit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._codes = raw_codes()
        self._untranslated = untranslated_pattern()

    def run(
        self,
        plan: list[tuple[str, str]],
        expected: dict[tuple[str, str], int],
        widths: dict[str, tuple[tuple[int, int], ...]] | None = None,
    ) -> None:
        """Visits the plan's pages at each width (``widths`` may name fewer for a person),
        signing each person in once."""
        for who in dict.fromkeys(who for who, _ in plan):
            sizes = (widths or {}).get(who, WIDTHS)
            width, height = sizes[0]
            context = self.browser.new_context(
                locale="zh-CN", viewport={"width": width, "height": height}
            )
            context.set_default_timeout(10_000)
            page = context.new_page()
            if who in self.sign_in:
                self.sign_in[who](page, self.base)
            for width, height in sizes:
                page.set_viewport_size({"width": width, "height": height})
                for path in (path for person, path in plan if person == who):
                    self.visit(page, who, path, width, expected.get((who, path), 200))
            context.close()

    def visit(self, page: Any, who: str, path: str, width: int, status: int) -> Visit:
        response = page.goto(self.base + path)
        if page.locator("body[data-boots]").count():
            page.wait_for_function("() => document.body.dataset.ready === '1'")
        charts: list[str] = []
        if page.locator(".chart-card").count():
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-chart]')]"
                ".every((box) => box.dataset.drawn === '1')"
            )
            charts = page.evaluate(CHARTS)
        seen = page.evaluate(SEEN, TEXT)
        visit = Visit(
            who=who,
            path=path,
            width=width,
            status=response.status if response else 0,
            url=page.url.removeprefix(self.base),
            faults=seen["faults"],
            words=problems_of(seen["html"], self._codes, self._untranslated),
            charts=charts,
            images=[f"broken image {src}" for src in seen["images"]],
        )
        signed_out = re.compile(r"/(login|signin)\b")
        if who != "anonymous" and signed_out.search(visit.url) and not signed_out.search(path):
            visit.faults.append("sent to the sign-in page")
        if visit.status != status:
            visit.faults.append(f"answered {visit.status}, not {status}")
        if self.out is not None:
            name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "root"
            visit.shot = self.out / f"{width}" / f"{who}__{name}.png"
            visit.shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(visit.shot), full_page=True)
        self.visits.append(visit)
        return visit

    def report(self) -> dict[str, list[str]]:
        return {
            f"{visit.who} {visit.width} {visit.path}": visit.problems
            for visit in self.visits
            if visit.problems
        }


def staff_sign_in(
    username: str, password: str = PASSWORD, landing: str = "/console/stores"
) -> Callable[[Any, str], None]:
    def sign_in(page: Any, base: str) -> None:
        page.goto(f"{base}/login?next={landing}")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        if "/login" in page.url:
            raise AssertionError(f"{username} could not sign in")

    return sign_in


# ---- the demo ---------------------------------------------------------------------------

LANDING = {"guide": "/g", "admin": "/console/brands", "cashier": "/pos"}
DEMO_STAFF = {
    "hq": "yd.admin",
    "region": "yd-east.manager",
    "store": "yd-sh001.manager",
    "admin": "admin",
    "guide": "yd-sh001.guide1",
    "cashier": "yd-sh001.cashier",
}


def _first(page: Any, base: str, path: str, pattern: str) -> str | None:
    page.goto(base + path)
    for href in page.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        found = re.search(pattern, href)
        if found:
            return found.group(1)
    return None


def fill_cart(page: Any, base: str, store: str, product_id: str) -> None:
    """Puts one unit of a product in the cart, so that the cart and checkout have something."""
    page.goto(f"{base}/s/{store}/p/{product_id}")
    with page.expect_navigation():
        page.get_by_test_id("add-to-cart").click()


def demo_sign_in_shopper(phone: str) -> Callable[[Any, str], None]:
    """Signs in by phone through the demo's sandbox code box."""

    def sign_in(page: Any, base: str) -> None:
        store = DEMO_STORE
        page.goto(f"{base}/s/{store}/signin")
        page.locator("input[name=phone]").fill(phone)
        with page.expect_navigation():
            page.locator("button[name=action][value=send]").first.click()
        page.locator("input[name=otp]").fill(page.get_by_test_id("sandbox-code-value").inner_text())
        with page.expect_navigation():
            page.locator("button[name=action][value=signin]").click()
        if "/signin" in page.url:
            raise AssertionError(f"{phone} could not sign in")

    return sign_in


DEMO_STORE = "YUEDONG.YD-SH001"


def demo_ids(browser: Any, base: str, phone: str) -> dict[str, str]:
    """The ids the tour needs, read from the links of the demo's pages."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    staff_sign_in(DEMO_STAFF["hq"])(page, base)
    found = {
        "store_id": _first(page, base, "/console/stores", r"/console/stores/(\d+)/edit"),
        "region_id": _first(page, base, "/console/stores", r"/console/regions/(\d+)/edit"),
        "product_id": _first(page, base, "/console/products", r"/console/products/(\d+)$"),
        "member_id": _first(page, base, "/console/members", r"/console/members/(\d+)"),
        "order_id": _first(page, base, "/console/orders", r"/console/orders/(\d+)"),
        "presale_id": _first(page, base, "/console/presales", r"presale=(\d+)"),
        "staff_id": _first(page, base, "/console/staff", r"/console/staff/(\d+)"),
        "code": _first(page, base, "/console/codes", r"/console/codes/(\w+)\.svg"),
        "brand_id": _first(page, base, "/console/stores", r"brand=(\d+)") or "1",
        "audience_id": _first(page, base, "/console/audiences", r"/console/audiences/(\d+)"),
    }
    found["sku_id"] = _first(
        page, base, f"/console/products/{found['product_id']}", r"/skus/(\d+)/edit"
    )
    context.close()
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    staff_sign_in(DEMO_STAFF["guide"], landing="/g")(page, base)
    found["guide_member_id"] = _first(page, base, "/g", r"/g/members/(\d+)")
    context.close()
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    shop = f"/s/{DEMO_STORE}"
    found["store"] = DEMO_STORE
    found["category_id"] = _first(page, base, shop + "/categories", r"/c/(\d+)")
    found["presale_id"] = _first(page, base, shop, r"/presale/(\d+)")
    found["query"] = "T"
    found["presale_sku_id"] = _first(
        page, base, f"{shop}/presale/{found['presale_id']}", r"deposit\?sku=(\d+)"
    )
    demo_sign_in_shopper(phone)(page, base)
    found["shop_order_id"] = _first(page, base, shop + "/orders", r"/orders/(\d+)")
    SHOPPER_COOKIES[:] = context.cookies()
    context.close()
    return {name: value for name, value in found.items() if value}


# The demo's shopper signs in once (a second code within a minute is refused); the tour's
# shopper carries the cookies of that session.
SHOPPER_COOKIES: list[Any] = []


def demo_shopper(product_id: str | None) -> Callable[[Any, str], None]:
    def sign_in(page: Any, base: str) -> None:
        page.context.add_cookies(SHOPPER_COOKIES)
        if product_id:
            fill_cart(page, base, DEMO_STORE, product_id)

    return sign_in


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright
    from tests.browser.live import CHROMIUM_FLAGS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("var/page-tour"))
    parser.add_argument("--phone", default="13538521189", help="the shopper's phone")
    parser.add_argument(
        "--chromium", default=os.environ.get("NEWRETAIL_CHROMIUM", "/usr/bin/chromium")
    )
    parser.add_argument("--only", default="", help="a regular expression of paths to visit")
    args = parser.parse_args(argv)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_FLAGS)
        ids = demo_ids(browser, args.base, args.phone)
        print("ids:", ids)
        sign_in = {
            who: staff_sign_in(name, landing=LANDING.get(who, "/console/stores"))
            for who, name in DEMO_STAFF.items()
        }
        sign_in["shopper"] = demo_shopper(ids.get("product_id"))
        plan = stops(ids) + [(who, path) for who, path, _ in ERRORS]
        plan = [(who, path) for who, path in plan if re.search(args.only, path)]
        tour = Tour(browser, args.base, sign_in, args.out)
        tour.run(plan, {(who, path): status for who, path, status in ERRORS})
        browser.close()
    for visit in tour.visits:
        verdict = "; ".join(visit.problems) or "ok"
        print(
            f"{visit.width:>4} {visit.who:<9} {visit.status} {visit.path} -> {visit.url}: {verdict}"
        )
    return 1 if tour.report() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
