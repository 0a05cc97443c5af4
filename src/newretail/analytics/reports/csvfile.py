"""CSV downloads of analyses: a header row, then the rows; cells that a spreadsheet would
run as a formula are quoted with a leading apostrophe."""

import csv
import io
from collections.abc import Sequence

from fastapi.responses import Response

FORMULA_STARTS = frozenset("=+-@\t\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return "" if value is None else value


def text(rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def response(filename: str, rows: Sequence[Sequence[object]]) -> Response:
    return Response(
        text(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
