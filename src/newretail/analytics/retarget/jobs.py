"""The worker's re-targeting job: new geo events of audience members near a store."""

from newretail.analytics.reports.opening import WarehouseHolder
from newretail.analytics.retarget.sending import any_active, run_due
from newretail.config import Settings
from newretail.db import Database, utcnow


class RetargetSender:
    """Runs every active rule over the geo events past its watermark."""

    name = "retarget_near_stores"

    def __init__(self) -> None:
        self.warehouse = WarehouseHolder()

    def __call__(self, database: Database, settings: Settings, /) -> int:
        with database.transaction() as session:
            if not any_active(session=session):
                return 0  # no rule: the warehouse is not even opened
            warehouse = self.warehouse.get(settings)
            if warehouse is None:
                return 0
            return run_due(session=session, warehouse=warehouse, now=utcnow())

    def close(self) -> None:
        self.warehouse.close()
