"""Print sheets: a store's codes as an A4 PDF, a grid of vector QR codes with labels.

Labels are in the reader's language (``translate``) and may hold Chinese names, so the
text is set in a CJK TrueType font when the system has one (embedded, subset) and in the
PDF viewer's Adobe CJK font (STSong-Light) otherwise.
"""

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from newretail.touchpoints import images, rules

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)
GREY = Color(0.45, 0.45, 0.45)
RULE = Color(0.8, 0.8, 0.8)
QR_SHARE = 0.62  # of the cell's width taken by the QR code; the rest holds the labels


@dataclass(frozen=True)
class SheetItem:
    code: str
    url: str
    placement: str
    person: str  # the guide's name, else the store's
    campaign: str


@cache
def font_name() -> str:
    """A registered font that can set Chinese text."""
    for path in FONT_CANDIDATES:
        if path.exists():
            pdfmetrics.registerFont(TTFont("NewretailCJK", str(path), subfontIndex=0))
            return "NewretailCJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def render(
    *,
    title: str,
    items: Sequence[SheetItem],
    translate: Callable[[str], str],
    grid: rules.Grid = rules.A4_GRID,
) -> bytes:
    """The PDF of ``items`` laid out on ``grid``, each page headed with ``title``."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(grid.width, grid.height), invariant=True)
    canvas.setTitle(title)
    canvas.setCreator("newretail")
    font = font_name()
    pages = grid.pages(len(items))
    _header(canvas, grid, font, title, 1, pages, translate)
    page = 0
    for index, item in enumerate(items):
        cell = grid.cell(index)
        if cell.page != page:
            canvas.showPage()
            page = cell.page
            _header(canvas, grid, font, title, page + 1, pages, translate)
        _label(canvas, grid, font, cell, item, translate)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _header(
    canvas: Canvas,
    grid: rules.Grid,
    font: str,
    title: str,
    page: int,
    pages: int,
    translate: Callable[[str], str],
) -> None:
    canvas.setFont(font, 9)
    canvas.setFillColor(GREY)
    top = grid.height - grid.margin * 0.6
    canvas.drawString(grid.margin, top, title)
    pager = translate(rules.N_("Page %(page)s of %(pages)s")) % {"page": page, "pages": pages}
    canvas.drawRightString(grid.width - grid.margin, top, pager)


def _label(
    canvas: Canvas,
    grid: rules.Grid,
    font: str,
    cell: rules.Cell,
    item: SheetItem,
    translate: Callable[[str], str],
) -> None:
    canvas.setStrokeColor(RULE)
    canvas.setDash(2, 3)
    canvas.rect(cell.x, cell.y, grid.cell_width, grid.cell_height, stroke=1, fill=0)
    canvas.setDash()
    side = grid.cell_width * QR_SHARE
    left = cell.x + (grid.cell_width - side) / 2
    bottom = cell.y + grid.cell_height - side - 20
    _qr(canvas, item.url, left, bottom, side)
    centre = cell.x + grid.cell_width / 2
    canvas.setFillColor(Color(0, 0, 0))
    canvas.setFont(font, 11)
    line = bottom - 14
    canvas.drawCentredString(centre, line, translate(item.placement))
    canvas.setFont(font, 10)
    canvas.drawCentredString(centre, line - 14, _fit(item.person, font, 10, grid.cell_width - 12))
    canvas.setFont("Courier-Bold", 12)
    canvas.drawCentredString(centre, line - 30, item.code)
    if item.campaign:
        canvas.setFont(font, 8)
        canvas.setFillColor(GREY)
        canvas.drawCentredString(
            centre, line - 43, _fit(item.campaign, font, 8, grid.cell_width - 12)
        )


def _qr(canvas: Canvas, url: str, left: float, bottom: float, side: float) -> None:
    """The symbol as filled rectangles, one per dark run of a row (crisp at any size)."""
    size, runs = images.dark_runs(url)
    module = side / size
    canvas.setFillColor(Color(0, 0, 0))
    path = canvas.beginPath()
    for row, column, length in runs:
        y = bottom + side - (row + 1) * module
        path.rect(left + column * module, y, length * module, module)
    canvas.drawPath(path, stroke=0, fill=1)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text``, shortened with an ellipsis until it fits ``width``."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"
