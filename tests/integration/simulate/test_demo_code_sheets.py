"""The demo writes each store's print sheet of codes next to its database."""

from pathlib import Path

from newretail.db import Database
from newretail.simulate import demo
from newretail.simulate.world import World


def test_the_demo_writes_a_pdf_sheet_per_store_with_codes(
    world: World, world_database: Database, tmp_path: Path
) -> None:
    stale = tmp_path / "sheets" / "old-store.pdf"
    stale.parent.mkdir()
    stale.write_bytes(b"%PDF-old")
    written = demo.write_code_sheets(
        database=world_database, folder=tmp_path / "sheets", base_url="http://demo"
    )
    expected = {
        f"{brand.code}-{store.code}.pdf"
        for brand in world.brands.values()
        for store in brand.stores
        if store.type != "warehouse"
    }
    assert {path.name for path in written} == expected
    assert {path.name for path in (tmp_path / "sheets").iterdir()} == expected
    assert all(path.read_bytes().startswith(b"%PDF-") for path in written)
