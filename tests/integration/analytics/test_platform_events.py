"""What the platform records itself reaches the data bank from the outbox, once, with who
did it: a code scanned and a pre-sale deposit paid."""

import pytest
from tests import builders, code_builders, order_builders
from tests import presale_builders as psb

from newretail.analytics.warehouse import open_warehouse
from newretail.analytics.warehouse.sync import sync
from newretail.db import Database
from newretail.presales.models import PresaleDeposit
from newretail.touchpoints import scans

pytestmark = pytest.mark.postgres


def test_a_guides_badge_scanned_becomes_one_qr_scanned_event_with_its_code_store_and_guide(
    database: Database,
) -> None:
    world = builders.brand_world(database)
    code = code_builders.badge(database, world.east_guide.id)
    with database.transaction() as session:
        scans.scan(session=session, code=code, anonymous_id="tab-41")
    psb.dispatch(database)
    psb.dispatch(database)
    warehouse = open_warehouse(":memory:")

    sync(database=database, warehouse=warehouse)

    rows = warehouse.query(
        "SELECT event, channel, person_key, code, store_id, guide_id FROM events", []
    )
    assert rows == [
        ("QR Scanned", "platform", "anon:tab-41", code, world.east_store.id, world.east_guide.id)
    ]


def test_a_paid_deposit_becomes_one_deposit_paid_event_of_its_buyer(database: Database) -> None:
    shop = order_builders.shop(database)
    deposit_id = psb.paid_deposit(database, shop, psb.presale(database, shop))
    with database.transaction(read_only=True) as session:
        deposit = session.get(PresaleDeposit, deposit_id)
        assert deposit is not None
        consumer_id = deposit.consumer_id
    psb.dispatch(database)
    warehouse = open_warehouse(":memory:")

    sync(database=database, warehouse=warehouse)

    rows = warehouse.query(
        "SELECT person_key, store_id FROM events WHERE event = 'Deposit Paid'", []
    )
    assert rows == [(f"consumer:{consumer_id}", shop.store_id)]
