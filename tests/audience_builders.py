"""Audiences of chosen members, for the tests of what is sent or assigned to an audience."""

from collections.abc import Mapping
from datetime import timedelta

from newretail.analytics.audiences import service as audiences_service
from newretail.analytics.audiences.rules import AudienceRule
from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM


def audience(database: Database, brand_id: int, members: Mapping[int, bool]) -> int:
    """An audience of exactly ``members`` (member id -> marketing consent as the warehouse
    has it), computed once from a warehouse planted with them alone."""
    from tests.warehouse_builders import PlantedWarehouse  # DuckDB only when a test needs it

    wh = PlantedWarehouse()
    joined = (utcnow() - timedelta(days=30)).replace(tzinfo=None)
    for member_id, marketing in members.items():
        wh.member(brand_id, member_id, joined, marketing_consent=marketing)
    rule = AudienceRule.model_validate(
        {"rule": {"kind": "profile", "field": "member", "value": True}}
    )
    try:
        with database.transaction() as session:
            row = audiences_service.create_audience(
                session=session, scope=SYSTEM, brand_id=brand_id, name="chosen", rule=rule
            )
            audiences_service.recompute(session=session, warehouse=wh, audience=row, now=utcnow())
            return row.id
    finally:
        wh.close()
