"""The console's management screens in headless Chromium: a product made, pictured and
priced at one store shows so on that store's cloud store page; every form lays out."""

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect
from tests import builders
from tests.browser.live import App, LiveServer
from tests.browser.test_browser_console import log_in
from tests.passwords import cheap_hashing

from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import OfferCreate
from newretail.kernel.scope import SYSTEM

pytestmark = pytest.mark.browser
SIZES = ((1440, 900), (390, 844))

# Boxes that must neither overlap their siblings nor squeeze text into one-character columns.
LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push("page wider than the window: " + document.documentElement.scrollWidth);
  }
  const groups = document.querySelectorAll(
    "main .form__grid, main .page-actions, main .form__actions, main .rules__item, " +
    "main .items__row, main .gallery, main .filters, main .roles__item, main .card__head");
  for (const group of groups) {
    const kids = [...group.children].filter(visible);
    for (let i = 0; i < kids.length; i++) {
      for (let j = i + 1; j < kids.length; j++) {
        const a = kids[i].getBoundingClientRect(), b = kids[j].getBoundingClientRect();
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 1 && y > 1) {
          problems.push("overlap: " + kids[i].className + " / " + kids[j].className);
        }
      }
    }
  }
  const texts = document.querySelectorAll(
    "main label, main .field__label, main .btn, main td, main th, main .rules__level, " +
    "main .field__error, main .page-title, main dt, main dd, main legend");
  for (const el of texts) {
    if (!visible(el) || el.closest(".sr-only")) continue;
    const text = el.innerText.trim();
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (text.length >= 2 && el.getBoundingClientRect().width < 1.5 * size) {
      problems.push("one character wide: " + text.slice(0, 20));
    }
  }
  return problems;
}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    media = tmp_path_factory.mktemp("media")
    with cheap_hashing(), pytest.MonkeyPatch.context() as env:
        env.setenv("NEWRETAIL_MEDIA_DIR", str(media))
        server = LiveServer(tmp_path_factory.mktemp("browser-manage")).start()
        try:
            world = builders.brand_world(server.database)
            yield App(server, world, builders.platform_admin(server.database))
        finally:
            server.stop()


def picture(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 600), (220, 60, 40)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def submit(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()


def loaded(image: Any) -> bool:
    return bool(image.evaluate("img => img.complete && img.naturalWidth > 0"))


def test_a_product_made_with_a_picture_and_priced_at_one_store_shows_in_that_cloud_store(
    page: Any, app: App, tmp_path: Path
) -> None:
    world = app.world
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, app, world.admin)
    page.goto(app.url + "/console/products")
    submit(page, page.get_by_test_id("new-product"))
    page.get_by_label("编码").fill("TRAIL-1")
    page.get_by_label("标题").fill("山径越野跑鞋")
    page.get_by_label("图片").set_input_files(str(picture(tmp_path / "shoe.jpg")))
    submit(page, page.get_by_role("button", name="创建商品"))
    expect(page.get_by_role("heading", name="山径越野跑鞋")).to_be_visible()
    assert loaded(page.get_by_test_id("product-image"))
    product_url = page.url

    submit(page, page.get_by_test_id("new-sku"))
    page.get_by_label("SKU 编码").fill("TRAIL-1-42")
    page.get_by_label("规格").fill("颜色: 岩灰\n尺码: 42")
    submit(page, page.get_by_role("button", name="创建 SKU"))
    row = page.locator('tr[data-sku="TRAIL-1-42"]')
    expect(row).to_contain_text("岩灰")
    submit(page, row.get_by_role("link", name="价格"))
    page.get_by_label("某一家门店，所有渠道。", exact=False).check()
    page.locator("#f-store_id").select_option(str(world.east_store.id))
    page.locator("#f-price").fill("1299.50")
    submit(page, page.get_by_role("button", name="保存价格"))
    expect(page.get_by_test_id("resolved-price")).to_have_text("¥1,299.50")
    expect(page.get_by_test_id("resolved-source")).to_have_attribute("data-level", "store")

    product_id = product_url.rstrip("/").rsplit("/", 1)[-1]
    brand = world.brand.code
    page.goto(f"{app.url}/s/{brand}.{world.east_store.code}/p/{product_id}")
    expect(page.get_by_test_id("price")).to_contain_text("¥1,299.50")
    assert loaded(page.get_by_test_id("product-image"))
    page.goto(f"{app.url}/s/{brand}.{world.west_store.code}/p/{product_id}")
    expect(page.get_by_test_id("price")).to_have_text("本店暂不销售")


def _a_product(app: App) -> tuple[int, int]:
    with app.server.database.transaction() as session:
        product = builders.product(session, app.world.brand.id, title="晨雾 羊毛开衫")
        sku = builders.sku(session, app.world.brand.id, product.id, attributes={"colour": "燕麦"})
        catalog_service.create_offer(
            session=session, scope=SYSTEM, data=OfferCreate(sku_id=sku.id, price=59900)
        )
        return product.id, sku.id


def test_every_management_form_lays_out_on_a_desktop_and_a_phone(page: Any, app: App) -> None:
    product_id, sku_id = _a_product(app)
    log_in(page, app, app.world.admin)
    forms = [
        "/console/products/new",
        f"/console/products/{product_id}",
        f"/console/products/{product_id}/edit",
        f"/console/products/{product_id}/skus/new",
        f"/console/prices?sku={sku_id}",
        f"/console/stock/adjust?sku={sku_id}",
        "/console/stock/transfer",
        "/console/staff",
        "/console/staff/new",
        f"/console/staff/{app.world.east_guide.id}",
        "/console/presales/new",
    ]
    found = {}
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for path in forms:
            page.goto(app.url + path)
            problems = page.evaluate(LAYOUT_PROBLEMS)
            if problems:
                found[f"{path} @{width}"] = problems
    assert found == {}


def test_a_refused_upload_says_why_on_the_form(page: Any, app: App, tmp_path: Path) -> None:
    log_in(page, app, app.world.admin)
    page.goto(app.url + "/console/products/new")
    fake = tmp_path / "not-a-picture.jpg"
    fake.write_bytes(b"%PDF-1.7 this is a document")
    page.get_by_label("编码").fill("FAKE-1")
    page.get_by_label("标题").fill("假图片")
    page.get_by_label("图片").set_input_files(str(fake))
    submit(page, page.get_by_role("button", name="创建商品"))

    expect(page.locator("#image-error")).to_have_text(
        "文件不是图片：请上传 JPEG、PNG、WebP 或 GIF。"
    )
    expect(page.get_by_label("标题")).to_have_value("假图片")


def test_the_layout_check_sees_overlap_and_squeezed_text(page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_content(
        "<main><div class='form__grid' style='position:relative;height:80px'>"
        "<div style='position:absolute;top:0;left:0;width:200px;height:40px'>a</div>"
        "<div style='position:absolute;top:10px;left:10px;width:200px;height:40px'>b</div>"
        "</div><table><tr><td style='width:8px;max-width:8px;word-break:break-all'>门店名称</td>"
        "<td style='width:600px'>x</td></tr></table></main>"
    )

    problems = page.evaluate(LAYOUT_PROBLEMS)

    assert any(p.startswith("overlap") for p in problems)
    assert any(p.startswith("one character wide: 门店名称") for p in problems)
