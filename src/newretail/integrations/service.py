"""Use cases of outbound webhooks: endpoints, their deliveries, and fan-out of events.

Sending is done by the worker (``newretail.integrations.delivery``), never in a request.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.db import utcnow
from newretail.integrations import errors, rules
from newretail.integrations.models import WebhookDelivery, WebhookEndpoint
from newretail.integrations.rules import DeliveryStatus
from newretail.integrations.schemas import WebhookCreate, WebhookUpdate
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.org import service as org_service
from newretail.outbox import service as outbox_service
from newretail.outbox.models import OutboxEvent

# ---- endpoints ------------------------------------------------------------------------


def _endpoint_query(scope: Scope) -> Select[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.deleted_at.is_(None))
    if not scope.is_platform:
        query = query.where(WebhookEndpoint.brand_id == scope.brand_id)
    return query


def _checked_url(url: str) -> str:
    try:
        return rules.check_url(url)
    except ValueError as exc:
        raise errors.InvalidWebhookUrl(f"url: {exc}") from exc


def _audit(
    session: Session, scope: Scope, endpoint: WebhookEndpoint, action: str, **details: Any
) -> None:
    audit_service.write(
        session=session,
        scope=scope,
        action=action,
        target_type="webhook",
        target_id=endpoint.id,
        brand_id=endpoint.brand_id,
        details=details,
    )


def create_endpoint(*, session: Session, scope: Scope, data: WebhookCreate) -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret (the caller shows it this once)."""
    scope.require(Role.BRAND_ADMIN)
    brand_id = scope.target_brand(data.brand_id)
    org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    endpoint = WebhookEndpoint(
        brand_id=brand_id,
        url=_checked_url(data.url),
        description=data.description,
        event_types=data.event_types,
        active=data.active,
        secret=rules.new_secret(),
    )
    session.add(endpoint)
    session.flush()
    _audit(
        session, scope, endpoint, "webhook.created", url=endpoint.url, event_types=data.event_types
    )
    return endpoint


def get_endpoint(*, session: Session, scope: Scope, webhook_id: int) -> WebhookEndpoint:
    endpoint = session.scalar(_endpoint_query(scope).where(WebhookEndpoint.id == webhook_id))
    if endpoint is None:
        raise errors.WebhookNotFound()
    scope.require(Role.BRAND_ADMIN)
    return endpoint


def list_endpoints(
    *, session: Session, scope: Scope, brand_id: int | None, cursor: str | None, limit: int
) -> tuple[list[WebhookEndpoint], str | None]:
    scope.require(Role.BRAND_ADMIN)
    query = _endpoint_query(scope)
    if brand_id is not None:
        query = query.where(WebhookEndpoint.brand_id == brand_id)
    return paginate(
        session=session, query=query, id_column=WebhookEndpoint.id, cursor=cursor, limit=limit
    )


def update_endpoint(
    *, session: Session, scope: Scope, webhook_id: int, data: WebhookUpdate
) -> WebhookEndpoint:
    endpoint = get_endpoint(session=session, scope=scope, webhook_id=webhook_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "url" in changes:
        changes["url"] = _checked_url(changes["url"])
    changed = sorted(f for f, value in changes.items() if getattr(endpoint, f) != value)
    if not changed:
        return endpoint
    for field in changed:
        setattr(endpoint, field, changes[field])
    endpoint.updated_at = utcnow()
    session.flush()
    _audit(session, scope, endpoint, "webhook.updated", changed=changed)
    return endpoint


def rotate_secret(*, session: Session, scope: Scope, webhook_id: int) -> WebhookEndpoint:
    """Replace the signing secret; deliveries signed from now on use the new one."""
    endpoint = get_endpoint(session=session, scope=scope, webhook_id=webhook_id)
    endpoint.secret = rules.new_secret()
    endpoint.updated_at = utcnow()
    session.flush()
    _audit(session, scope, endpoint, "webhook.secret_rotated")
    return endpoint


def delete_endpoint(*, session: Session, scope: Scope, webhook_id: int) -> None:
    """Soft-delete: deliveries stay for the record; those still pending are given up."""
    endpoint = get_endpoint(session=session, scope=scope, webhook_id=webhook_id)
    endpoint.deleted_at = utcnow()
    endpoint.active = False
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.DEAD, leased_until=None, last_error="endpoint deleted")
    )
    session.flush()
    _audit(session, scope, endpoint, "webhook.deleted", url=endpoint.url)


# ---- deliveries -----------------------------------------------------------------------


def list_deliveries(
    *,
    session: Session,
    scope: Scope,
    webhook_id: int,
    status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[WebhookDelivery], str | None]:
    endpoint = get_endpoint(session=session, scope=scope, webhook_id=webhook_id)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    return paginate(
        session=session, query=query, id_column=WebhookDelivery.id, cursor=cursor, limit=limit
    )


def redeliver(
    *, session: Session, scope: Scope, webhook_id: int, delivery_id: int
) -> WebhookDelivery:
    """Queue a delivery again from its first attempt, whatever its state."""
    endpoint = get_endpoint(session=session, scope=scope, webhook_id=webhook_id)
    delivery = session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint.id
        )
    )
    if delivery is None:
        raise errors.DeliveryNotFound()
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.leased_until = None
    session.flush()
    _audit(session, scope, endpoint, "webhook.redelivery_requested", delivery_id=delivery.id)
    return delivery


def enqueue_deliveries(*, session: Session, events: Sequence[OutboxEvent]) -> int:
    """One pending delivery per event and active endpoint of its brand that subscribes.

    Idempotent: an event already queued for an endpoint is not queued twice.
    """
    brand_ids = {event.brand_id for event in events if event.brand_id is not None}
    if not brand_ids:
        return 0
    endpoints: dict[int, list[WebhookEndpoint]] = defaultdict(list)
    for endpoint in session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.brand_id.in_(brand_ids),
            WebhookEndpoint.active.is_(True),
            WebhookEndpoint.deleted_at.is_(None),
        )
    ):
        endpoints[endpoint.brand_id].append(endpoint)
    now = utcnow()
    rows = [
        _delivery_row(event, endpoint, now)
        for event in events
        if event.brand_id is not None
        for endpoint in endpoints[event.brand_id]
        if rules.subscribes(endpoint.event_types, event.type)
    ]
    return outbox_service.insert_new(
        session=session, model=WebhookDelivery, rows=rows, unique=["endpoint_id", "event_id"]
    )


def _delivery_row(event: OutboxEvent, endpoint: WebhookEndpoint, now: Any) -> dict[str, Any]:
    return {
        "brand_id": endpoint.brand_id,
        "endpoint_id": endpoint.id,
        "event_id": event.event_id,
        "event_type": event.type,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "outbox_seq": event.seq,
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
