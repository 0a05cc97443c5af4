"""The worker's audience job: after each warehouse sync, every audience is recomputed."""

from newretail.analytics.audiences.membership import any_live_audience, refresh_stale
from newretail.analytics.reports.opening import WarehouseHolder
from newretail.config import Settings
from newretail.db import Database, utcnow


class AudienceRefresher:
    """Recomputes the audiences not computed since the warehouse's last sync."""

    name = "refresh_audiences"

    def __init__(self) -> None:
        self.warehouse = WarehouseHolder()

    def __call__(self, database: Database, settings: Settings, /) -> int:
        with database.transaction() as session:
            if not any_live_audience(session=session):
                return 0  # nothing to keep current: the warehouse is not even opened
            warehouse = self.warehouse.get(settings)
            if warehouse is None:
                return 0
            return refresh_stale(session=session, warehouse=warehouse, now=utcnow())

    def close(self) -> None:
        self.warehouse.close()
