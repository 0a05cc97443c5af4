"""Response bodies of attribution reports (amounts in fen)."""

from datetime import datetime

from newretail.analytics.attribution.query import By
from newretail.kernel.schemas import ReadModel


class CreditRowRead(ReadModel):
    value: str
    label: str
    fen: int
    purchases: int
    touches: int


class AttributionRead(ReadModel):
    start: datetime
    end: datetime
    by: By
    model: str
    touches: str
    window_days: dict[str, int]
    purchases: int
    revenue_fen: int
    attributed_fen: int
    rows: list[CreditRowRead]
