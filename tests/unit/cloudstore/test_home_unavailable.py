"""A home section may fail on its own, but no connection to be had fails the whole page."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from newretail.cloudstore.home import HomeContext, SectionRegistry, fetch_sections
from newretail.db import Database, DatabaseUnavailable


class FakeStore:
    code = "BRAND.STORE"


def context() -> HomeContext:
    return HomeContext(store=cast(Any, FakeStore()), policy=cast(Any, None), now=datetime.now(UTC))


def registry_raising(error: Exception) -> SectionRegistry:
    def provider(_session: Session, _context: HomeContext) -> Any:
        raise error

    registry = SectionRegistry()
    registry.add("failing", provider, budget_seconds=5.0)
    return registry


@pytest.mark.parametrize(
    "error",
    [sa_exc.TimeoutError("QueuePool limit reached"), DatabaseUnavailable("connect failed")],
    ids=["pool-timeout", "unreachable"],
)
def test_no_connection_to_be_had_is_raised_not_served_as_an_empty_section(
    error: Exception, tmp_path: Path
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'home.db'}")

    with pytest.raises(type(error)):
        fetch_sections(
            database=database, context=context(), registry=registry_raising(error), fetch="parallel"
        )


def test_a_sections_own_bug_still_leaves_an_empty_section(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'home.db'}")

    results = fetch_sections(
        database=database,
        context=context(),
        registry=registry_raising(ValueError("a bug in one section")),
        fetch="parallel",
    )

    assert (results["failing"].degraded, results["failing"].reason) == (True, "error")
