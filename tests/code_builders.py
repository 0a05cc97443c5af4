"""Builders for touchpoint tests: codes and badges created through the service."""

from typing import Any

from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.touchpoints import service as touchpoints_service
from newretail.touchpoints.schemas import CodeCreate


def code(database: Database, store_id: int, placement: str = "shelf_tag", **fields: Any) -> str:
    data = CodeCreate.model_validate({"store_id": store_id, "placement": placement, **fields})
    with database.transaction() as session:
        return touchpoints_service.create_code(session=session, scope=SYSTEM, data=data).code


def badge(database: Database, guide_id: int) -> str:
    with database.transaction() as session:
        row, _ = touchpoints_service.guide_badge(session=session, scope=SYSTEM, guide_id=guide_id)
        return row.code
