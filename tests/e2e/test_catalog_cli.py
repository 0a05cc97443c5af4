from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from tests import builders
from typer.testing import CliRunner

from newretail.catalog.models import Offer
from newretail.cli import app as cli
from newretail.config import get_settings
from newretail.db import Database


@pytest.fixture
def cli_env(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("NEWRETAIL_DATABASE_URL", database.url)
    get_settings.cache_clear()
    yield database
    get_settings.cache_clear()


def brand_code(database: Database) -> str:
    with database.transaction() as session:
        brand = builders.brand(session)
        product = builders.product(session, brand.id)
        builders.sku(session, brand.id, product.id, code="K1")
        return brand.code


def offers(database: Database) -> list[tuple[str | None, int | None]]:
    with database.transaction(read_only=True) as session:
        return [tuple(r) for r in session.execute(select(Offer.channel, Offer.price))]  # type: ignore[misc]


def test_the_cli_imports_offers_and_exports_them(cli_env: Database, tmp_path: Path) -> None:
    code = brand_code(cli_env)
    source = tmp_path / "offers.csv"
    source.write_text("sku_code,channel,price\nK1,,100\nK1,pos,90\n", encoding="utf-8")
    imported = CliRunner().invoke(
        cli, ["catalog", "import", str(source), "--brand", code, "--kind", "offers"]
    )
    assert imported.exit_code == 0, imported.output
    assert "2 created" in imported.output
    assert offers(cli_env) == [(None, 100), ("pos", 90)]
    exported = CliRunner().invoke(
        cli, ["catalog", "export", "--brand", code, "--kind", "offers", "--format", "json"]
    )
    assert exported.exit_code == 0, exported.output
    assert '"price": 90' in exported.stdout


def test_the_cli_applies_nothing_when_a_row_is_bad_unless_asked(
    cli_env: Database, tmp_path: Path
) -> None:
    code = brand_code(cli_env)
    source = tmp_path / "offers.csv"
    source.write_text("sku_code,price\nK1,100\nK2,1.5\n", encoding="utf-8")
    args = ["catalog", "import", str(source), "--brand", code, "--kind", "offers"]
    rejected = CliRunner().invoke(cli, args)
    assert rejected.exit_code == 1
    assert "unknown_sku" in rejected.output
    assert offers(cli_env) == []
    partial = CliRunner().invoke(cli, [*args, "--apply-valid"])
    assert partial.exit_code == 1
    assert offers(cli_env) == [(None, 100)]


def test_the_cli_refuses_a_file_with_broken_encoding(cli_env: Database, tmp_path: Path) -> None:
    code = brand_code(cli_env)
    source = tmp_path / "offers.csv"
    source.write_bytes(b"sku_code,price\nK\xff1,100\n")
    result = CliRunner().invoke(
        cli, ["catalog", "import", str(source), "--brand", code, "--kind", "offers"]
    )
    assert result.exit_code == 2
    assert "bad_encoding" in result.output
