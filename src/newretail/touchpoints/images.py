"""QR images of a code's public scan URL: PNG and SVG (segno), and the module grid for PDFs."""

import io

import segno

# Medium error correction survives a scuffed shelf label and keeps the symbol small.
ERROR_LEVEL = "m"
QUIET_ZONE = 4


def qr(url: str) -> segno.QRCode:
    return segno.make(url, error=ERROR_LEVEL, micro=False, boost_error=False)


def png(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    qr(url).save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    return buffer.getvalue()


def svg(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    qr(url).save(buffer, kind="svg", scale=scale, border=QUIET_ZONE, unit="px")
    return buffer.getvalue()


def dark_runs(url: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The symbol's size in modules and its dark modules as (row, first column, length) runs."""
    symbol = qr(url)
    runs: list[tuple[int, int, int]] = []
    size = 0
    for row, modules in enumerate(symbol.matrix_iter(scale=1, border=0)):
        values = [bool(m) for m in modules]
        size = len(values)
        column = 0
        while column < size:
            if not values[column]:
                column += 1
                continue
            start = column
            while column < size and values[column]:
                column += 1
            runs.append((row, start, column - start))
    return size, runs
