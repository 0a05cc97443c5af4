"""Search boxes: what a person typed is matched as text, never as a LIKE pattern.

``%`` and ``_`` are LIKE's wildcards and ``\\`` is our escape character; left as they are,
``?q=%`` would match every row. Every ``q`` that becomes a LIKE goes through here.
"""

from typing import Any

from sqlalchemy import ColumnElement

ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards and the escape character itself escaped."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """``column`` contains ``text``, ignoring case."""
    matched: ColumnElement[bool] = column.ilike(f"%{escape_like(text)}%", escape=ESCAPE)
    return matched


def ends_with(column: Any, text: str) -> ColumnElement[bool]:
    """``column`` ends with ``text`` exactly (a phone's last digits)."""
    matched: ColumnElement[bool] = column.like(f"%{escape_like(text)}", escape=ESCAPE)
    return matched
