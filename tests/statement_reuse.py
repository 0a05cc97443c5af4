"""One compiled-statement cache per backend for every engine a test process makes.

SQLAlchemy keeps compiled statements per engine, keyed by the engine's dialect object, and
each test builds its engine afresh (a new SQLite file, a new pool of PostgreSQL connections),
so each test compiled every statement it ran again: about a third of what a database test
cost. Here one engine of each backend lends its dialect (once that has connected and read
the server's version) and its cache to the engines made after it in the same process; they
are configured alike (same driver, same dialect options, same server), so a statement
compiled for one is the statement for all. Each engine keeps its own pool and its own
event listeners. ``install`` is called once, by ``tests/conftest.py``.
"""

from typing import Any

from sqlalchemy import Engine

from newretail import db

_LENDERS: dict[tuple[str, str], Engine] = {}  # per backend: the engine whose dialect is lent
_LATEST: dict[tuple[str, str], Engine] = {}  # per backend: the last engine made, until then


def _lend(engine: Engine) -> Engine:
    """Give ``engine`` the lender's dialect and cache; the first engine of a backend to have
    connected (its dialect has then read the server's version) becomes the lender."""
    key = (engine.dialect.name, engine.dialect.driver)
    lender = _LENDERS.get(key)
    if lender is None:
        latest = _LATEST.get(key)
        if latest is None or latest.dialect.server_version_info is None:
            _LATEST[key] = engine
            return engine
        lender = _LENDERS[key] = latest
        _LATEST.pop(key)
    engine.dialect = lender.dialect
    engine.pool._dialect = lender.dialect
    engine._compiled_cache = lender._compiled_cache
    return engine


def install() -> None:
    make_engine = db.make_engine

    def sharing(url: str, **kwargs: Any) -> Engine:
        return _lend(make_engine(url, **kwargs))

    db.make_engine = sharing
