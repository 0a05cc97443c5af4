"""The movements journal read newest first, page after page, for the console."""

from tests.integration.inventory.stockworld import receive, stock_world

from newretail.db import Database
from newretail.inventory import service as inventory_service
from newretail.kernel.scope import SYSTEM


def _quantities(database: Database, location_id: int, *, newest_first: bool) -> list[int]:
    seen: list[int] = []
    cursor = None
    with database.transaction(read_only=True) as session:
        while True:
            page, cursor = inventory_service.list_movements(
                session=session,
                scope=SYSTEM,
                cursor=cursor,
                limit=2,
                location_id=location_id,
                newest_first=newest_first,
            )
            seen += [movement.quantity for movement in page]
            if cursor is None:
                return seen


def test_the_journal_pages_newest_first_without_gaps_or_repeats(database: Database) -> None:
    world = stock_world(database)
    store, sku = world.location_ids[0], world.sku_ids[0]
    for quantity in (1, 2, 3, 4, 5):
        receive(database, store, sku, quantity)

    assert _quantities(database, store, newest_first=True) == [5, 4, 3, 2, 1]
    assert _quantities(database, store, newest_first=False) == [1, 2, 3, 4, 5]
