from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.audit.models import AuditEntry
from newretail.kernel.scope import Scope


def write(
    *,
    session: Session,
    scope: Scope,
    action: str,
    target_type: str,
    target_id: int | str,
    brand_id: int | None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry in the caller's transaction."""
    entry = AuditEntry(
        brand_id=brand_id,
        actor_type=scope.actor_type,
        actor_id=scope.actor_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=details or {},
    )
    session.add(entry)
    session.flush()
    return entry


def list_entries(*, session: Session, scope: Scope, limit: int = 100) -> list[AuditEntry]:
    """Newest audit entries the caller may see: a brand admin sees their brand's."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if not scope.is_platform:
        query = query.where(AuditEntry.brand_id == scope.brand_id)
    return list(session.scalars(query))
