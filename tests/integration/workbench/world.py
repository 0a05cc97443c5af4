"""A small brand world for workbench tests: HQ → east (→ east-north) and west, a store in
each, a guide in each store, and the managers above them."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tests import builders
from tests.builders import BrandWorld

from newretail.auth.models import Staff
from newretail.db import Database, utcnow
from newretail.org.models import Region, Store


@dataclass
class World:
    base: BrandWorld
    north: Region
    north_store: Store
    north_guide: Staff
    west_guide: Staff
    west_store_manager: Staff

    @property
    def brand_id(self) -> int:
        return self.base.brand.id

    def headers(self, who: str) -> dict[str, str]:
        person = getattr(self, who, None) or getattr(self.base, who)
        return {"Authorization": f"Bearer {builders.token(person)}"}


def world(database: Database) -> World:
    base = builders.brand_world(database)
    with database.transaction() as session:
        b = base.brand.id
        north = builders.region(session, b, parent_id=base.east.id)
        north_store = builders.store(session, b, north.id)
        north_guide = builders.staff(session, b, [{"role": "guide", "store_id": north_store.id}])
        west_guide = builders.staff(session, b, [{"role": "guide", "store_id": base.west_store.id}])
        west_manager = builders.staff(
            session, b, [{"role": "store_manager", "store_id": base.west_store.id}]
        )
        for person in (north_guide, west_guide, west_manager):
            session.refresh(person)
        session.expunge_all()
    return World(base, north, north_store, north_guide, west_guide, west_manager)


def task_body(targets: dict[str, list[int]], **fields: Any) -> dict[str, Any]:
    due = fields.pop("due_at", utcnow() + timedelta(days=2))
    return {
        "kind": "promotion",
        "title": "Set up the winter window",
        "targets": targets,
        "due_at": due.isoformat() if isinstance(due, datetime) else due,
        **fields,
    }
