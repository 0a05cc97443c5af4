from collections.abc import Iterator
from pathlib import Path

import pytest
from tests import builders
from tests import code_builders as cb
from tests.passwords import cheap_hashing
from typer.testing import CliRunner

from newretail.cli import app as cli
from newretail.config import get_settings
from newretail.db import Database
from newretail.kernel import i18n
from newretail.kernel.scope import SYSTEM
from newretail.touchpoints import service as touchpoints_service


@pytest.fixture
def cli_env(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("NEWRETAIL_DATABASE_URL", database.url)
    get_settings.cache_clear()
    with cheap_hashing():
        yield database
    get_settings.cache_clear()


def test_the_cli_prints_a_store_s_codes_to_a_pdf(cli_env: Database, tmp_path: Path) -> None:
    world = builders.brand_world(cli_env)
    cb.code(cli_env, world.east_store.id)
    out = tmp_path / "sheet.pdf"
    result = CliRunner().invoke(
        cli, ["codes", "print", "--store", world.east_store.code, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_the_cli_asks_for_the_brand_when_two_have_the_store_code(
    cli_env: Database, tmp_path: Path
) -> None:
    first, second = builders.brand_world(cli_env), builders.brand_world(cli_env)
    with cli_env.transaction() as session:
        builders.store(session, second.brand.id, second.east.id, code=first.east_store.code)
    out = tmp_path / "sheet.pdf"
    args = ["codes", "print", "--store", first.east_store.code, "--out", str(out)]
    ambiguous = CliRunner().invoke(cli, args)
    chosen = CliRunner().invoke(cli, [*args, "--brand", first.brand.code])
    assert (ambiguous.exit_code, chosen.exit_code) == (2, 0)
    assert "--brand" in ambiguous.output


def test_the_cli_prints_the_codes_for_the_address_it_is_given(
    cli_env: Database, tmp_path: Path
) -> None:
    world = builders.brand_world(cli_env)
    cb.code(cli_env, world.east_store.id)
    args = ["codes", "print", "--store", world.east_store.code, "--locale", "en"]
    given, default = tmp_path / "given.pdf", tmp_path / "default.pdf"
    CliRunner().invoke(cli, [*args, "--out", str(given), "--base-url", "http://10.0.0.5:8123"])
    CliRunner().invoke(cli, [*args, "--out", str(default)])
    with cli_env.transaction(read_only=True) as session:
        expected = touchpoints_service.print_sheet(
            session=session,
            scope=SYSTEM,
            store_id=world.east_store.id,
            base_url="http://10.0.0.5:8123",
            translate=i18n.translations("en").gettext,
        )

    assert given.read_bytes() == expected
    assert default.read_bytes() != expected
